//! strerror(3) for the kernel's errno values, as one string: a table of `&str` (or the match in
//! the `syscalls` crate) costs 16 bytes of pointers per entry on top of the text.

use syscalls::Errno;

/// The texts of errno 1..=133, then 512..=531, one per line; an empty line is a number Linux
/// does not use. The words of the kernel's headers (`Errno::description`), except where the
/// C library's differ for an error users meet (GLIBC_WORDS below): "Bad file descriptor", not
/// the headers' "Bad file number". Both checked by a test.
const TEXT: &str = concat!(
    "Operation not permitted\n",                                 // 1 EPERM
    "No such file or directory\n",                               // 2 ENOENT
    "No such process\n",                                         // 3 ESRCH
    "Interrupted system call\n",                                 // 4 EINTR
    "Input/output error\n",                                      // 5 EIO
    "No such device or address\n",                               // 6 ENXIO
    "Argument list too long\n",                                  // 7 E2BIG
    "Exec format error\n",                                       // 8 ENOEXEC
    "Bad file descriptor\n",                                     // 9 EBADF
    "No child processes\n",                                      // 10 ECHILD
    "Resource temporarily unavailable\n",                        // 11 EAGAIN
    "Cannot allocate memory\n",                                  // 12 ENOMEM
    "Permission denied\n",                                       // 13 EACCES
    "Bad address\n",                                             // 14 EFAULT
    "Block device required\n",                                   // 15 ENOTBLK
    "Device or resource busy\n",                                 // 16 EBUSY
    "File exists\n",                                             // 17 EEXIST
    "Cross-device link\n",                                       // 18 EXDEV
    "No such device\n",                                          // 19 ENODEV
    "Not a directory\n",                                         // 20 ENOTDIR
    "Is a directory\n",                                          // 21 EISDIR
    "Invalid argument\n",                                        // 22 EINVAL
    "Too many open files in system\n",                           // 23 ENFILE
    "Too many open files\n",                                     // 24 EMFILE
    "Inappropriate ioctl for device\n",                          // 25 ENOTTY
    "Text file busy\n",                                          // 26 ETXTBSY
    "File too large\n",                                          // 27 EFBIG
    "No space left on device\n",                                 // 28 ENOSPC
    "Illegal seek\n",                                            // 29 ESPIPE
    "Read-only file system\n",                                   // 30 EROFS
    "Too many links\n",                                          // 31 EMLINK
    "Broken pipe\n",                                             // 32 EPIPE
    "Numerical argument out of domain\n",                        // 33 EDOM
    "Numerical result out of range\n",                           // 34 ERANGE
    "Resource deadlock would occur\n",                           // 35 EDEADLK
    "File name too long\n",                                      // 36 ENAMETOOLONG
    "No record locks available\n",                               // 37 ENOLCK
    "Function not implemented\n",                                // 38 ENOSYS
    "Directory not empty\n",                                     // 39 ENOTEMPTY
    "Too many levels of symbolic links\n",                       // 40 ELOOP
    "\n",                                                        // 41 -
    "No message of desired type\n",                              // 42 ENOMSG
    "Identifier removed\n",                                      // 43 EIDRM
    "Channel number out of range\n",                             // 44 ECHRNG
    "Level 2 not synchronized\n",                                // 45 EL2NSYNC
    "Level 3 halted\n",                                          // 46 EL3HLT
    "Level 3 reset\n",                                           // 47 EL3RST
    "Link number out of range\n",                                // 48 ELNRNG
    "Protocol driver not attached\n",                            // 49 EUNATCH
    "No CSI structure available\n",                              // 50 ENOCSI
    "Level 2 halted\n",                                          // 51 EL2HLT
    "Invalid exchange\n",                                        // 52 EBADE
    "Invalid request descriptor\n",                              // 53 EBADR
    "Exchange full\n",                                           // 54 EXFULL
    "No anode\n",                                                // 55 ENOANO
    "Invalid request code\n",                                    // 56 EBADRQC
    "Invalid slot\n",                                            // 57 EBADSLT
    "\n",                                                        // 58 -
    "Bad font file format\n",                                    // 59 EBFONT
    "Device not a stream\n",                                     // 60 ENOSTR
    "No data available\n",                                       // 61 ENODATA
    "Timer expired\n",                                           // 62 ETIME
    "Out of streams resources\n",                                // 63 ENOSR
    "Machine is not on the network\n",                           // 64 ENONET
    "Package not installed\n",                                   // 65 ENOPKG
    "Object is remote\n",                                        // 66 EREMOTE
    "Link has been severed\n",                                   // 67 ENOLINK
    "Advertise error\n",                                         // 68 EADV
    "Srmount error\n",                                           // 69 ESRMNT
    "Communication error on send\n",                             // 70 ECOMM
    "Protocol error\n",                                          // 71 EPROTO
    "Multihop attempted\n",                                      // 72 EMULTIHOP
    "RFS specific error\n",                                      // 73 EDOTDOT
    "Bad message\n",                                             // 74 EBADMSG
    "Value too large for defined data type\n",                   // 75 EOVERFLOW
    "Name not unique on network\n",                              // 76 ENOTUNIQ
    "File descriptor in bad state\n",                            // 77 EBADFD
    "Remote address changed\n",                                  // 78 EREMCHG
    "Can not access a needed shared library\n",                  // 79 ELIBACC
    "Accessing a corrupted shared library\n",                    // 80 ELIBBAD
    ".lib section in a.out corrupted\n",                         // 81 ELIBSCN
    "Attempting to link in too many shared libraries\n",         // 82 ELIBMAX
    "Cannot exec a shared library directly\n",                   // 83 ELIBEXEC
    "Illegal byte sequence\n",                                   // 84 EILSEQ
    "Interrupted system call should be restarted\n",             // 85 ERESTART
    "Streams pipe error\n",                                      // 86 ESTRPIPE
    "Too many users\n",                                          // 87 EUSERS
    "Socket operation on non-socket\n",                          // 88 ENOTSOCK
    "Destination address required\n",                            // 89 EDESTADDRREQ
    "Message too long\n",                                        // 90 EMSGSIZE
    "Protocol wrong type for socket\n",                          // 91 EPROTOTYPE
    "Protocol not available\n",                                  // 92 ENOPROTOOPT
    "Protocol not supported\n",                                  // 93 EPROTONOSUPPORT
    "Socket type not supported\n",                               // 94 ESOCKTNOSUPPORT
    "Operation not supported\n",                                 // 95 EOPNOTSUPP
    "Protocol family not supported\n",                           // 96 EPFNOSUPPORT
    "Address family not supported by protocol\n",                // 97 EAFNOSUPPORT
    "Address already in use\n",                                  // 98 EADDRINUSE
    "Cannot assign requested address\n",                         // 99 EADDRNOTAVAIL
    "Network is down\n",                                         // 100 ENETDOWN
    "Network is unreachable\n",                                  // 101 ENETUNREACH
    "Network dropped connection because of reset\n",             // 102 ENETRESET
    "Software caused connection abort\n",                        // 103 ECONNABORTED
    "Connection reset by peer\n",                                // 104 ECONNRESET
    "No buffer space available\n",                               // 105 ENOBUFS
    "Transport endpoint is already connected\n",                 // 106 EISCONN
    "Transport endpoint is not connected\n",                     // 107 ENOTCONN
    "Cannot send after transport endpoint shutdown\n",           // 108 ESHUTDOWN
    "Too many references: cannot splice\n",                      // 109 ETOOMANYREFS
    "Connection timed out\n",                                    // 110 ETIMEDOUT
    "Connection refused\n",                                      // 111 ECONNREFUSED
    "Host is down\n",                                            // 112 EHOSTDOWN
    "No route to host\n",                                        // 113 EHOSTUNREACH
    "Operation already in progress\n",                           // 114 EALREADY
    "Operation now in progress\n",                               // 115 EINPROGRESS
    "Stale file handle\n",                                       // 116 ESTALE
    "Structure needs cleaning\n",                                // 117 EUCLEAN
    "Not a XENIX named type file\n",                             // 118 ENOTNAM
    "No XENIX semaphores available\n",                           // 119 ENAVAIL
    "Is a named type file\n",                                    // 120 EISNAM
    "Remote I/O error\n",                                        // 121 EREMOTEIO
    "Quota exceeded\n",                                          // 122 EDQUOT
    "No medium found\n",                                         // 123 ENOMEDIUM
    "Wrong medium type\n",                                       // 124 EMEDIUMTYPE
    "Operation canceled\n",                                      // 125 ECANCELED
    "Required key not available\n",                              // 126 ENOKEY
    "Key has expired\n",                                         // 127 EKEYEXPIRED
    "Key has been revoked\n",                                    // 128 EKEYREVOKED
    "Key was rejected by service\n",                             // 129 EKEYREJECTED
    "Owner died\n",                                              // 130 EOWNERDEAD
    "State not recoverable\n",                                   // 131 ENOTRECOVERABLE
    "Operation not possible due to RF-kill\n",                   // 132 ERFKILL
    "Memory page has hardware error\n",                          // 133 EHWPOISON
    "Restart syscall\n",                                         // 512 ERESTARTSYS
    "Restart if no interrupt\n",                                 // 513 ERESTARTNOINTR
    "restart if no handler..\n",                                 // 514 ERESTARTNOHAND
    "No ioctl command\n",                                        // 515 ENOIOCTLCMD
    "restart by calling sys_restart_syscall\n",                  // 516 RESTARTBLOCK
    "Driver requests probe retry\n",                             // 517 DEFER
    "open found a stale dentry\n",                               // 518 EOPENSTALE
    "Parameter not supported\n",                                 // 519 ENOPARAM
    "\n",                                                        // 520 -
    "Illegal NFS file handle\n",                                 // 521 EBADHANDLE
    "Update synchronization mismatch\n",                         // 522 ENOTSYNC
    "Cookie is stale\n",                                         // 523 EBADCOOKIE
    "Operation is not supported\n",                              // 524 ENOTSUPP
    "Buffer or request is too small\n",                          // 525 ETOOSMALL
    "An untranslatable error occurred\n",                        // 526 ESERVERFAULT
    "Type not supported by server\n",                            // 527 EBADTYPE
    "Request initiated, but will not complete before timeout\n", // 528 EJUKEBOX
    "iocb queued, will get completion event\n",                  // 529 EIOCBQUEUED
    "conflict with recalled state\n",                            // 530 ERECALLCONFLICT
    "NFS file lock reclaim refused\n",                           // 531 ENOGRACE
);

/// The text the C library would print for an errno, e.g. "No such file or directory".
pub fn strerror(e: Errno) -> &'static str {
    let n = e.into_raw() as usize;
    let line = match n {
        1..=133 => n - 1,
        512..=531 => n - 512 + 133,
        _ => usize::MAX,
    };
    match TEXT.split('\n').nth(line) {
        Some(s) if !s.is_empty() => s,
        _ => "Unknown error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the table says what glibc's strerror says instead of the kernel headers' words.
    const GLIBC_WORDS: &[(i32, &str)] = &[
        (5, "Input/output error"),
        (9, "Bad file descriptor"),
        (11, "Resource temporarily unavailable"),
        (12, "Cannot allocate memory"),
        (23, "Too many open files in system"),
        (25, "Inappropriate ioctl for device"),
        (33, "Numerical argument out of domain"),
        (34, "Numerical result out of range"),
        (38, "Function not implemented"),
        (40, "Too many levels of symbolic links"),
        (74, "Bad message"),
        (95, "Operation not supported"),
        (125, "Operation canceled"),
    ];

    #[test]
    fn kernel_words_or_the_c_library_s() {
        for n in -1..1000 {
            let e = Errno::new(n);
            let want = match GLIBC_WORDS.iter().find(|w| w.0 == n) {
                Some(w) => w.1,
                None => e.description().unwrap_or("Unknown error"),
            };
            assert_eq!(strerror(e), want, "errno {n}");
        }
    }
}
