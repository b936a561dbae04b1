//! Buffered output to a descriptor through `core::fmt::Write`; one write(2) per flush.

use alloc::vec::Vec;

pub struct Out {
    fd: i32,
    buf: Vec<u8>,
}

impl Out {
    pub fn new(fd: i32) -> Out {
        Out { fd, buf: Vec::new() }
    }

    pub fn flush(&mut self) {
        // Nothing useful can be done if stdout/stderr is gone.
        let _ = crate::sys::fs::write_all(self.fd, &self.buf);
        self.buf.clear();
    }
}

impl core::fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.buf.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.flush();
        }
    }
}
