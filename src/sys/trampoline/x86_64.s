# runt's exec trampoline for x86_64: what it is and why in src/sys/trampoline.rs.
#   argv: "runt:exec" FILE REPORT NOENT ACCES OTHER ARGV0 ARGV1 ...
# REPORT is the number of runt's report socket (decimal), which it marks close-on-exec: runt
# sees it close when execve(FILE, &argv[6], envp) succeeds. (Should it not be marked, nothing is
# executed and fcntl's error goes to runt as execve's would.) If that fails, it sends runt the
# error as sync.rs encodes one (tag 'E', status, errno as i32 LE, text): 127 and NOENT for
# ENOENT, 126 and ACCES for EACCES (neither with an errno: the texts say it), else 126, the
# errno and OTHER; and exits with that status. Run any other way (argv[0] is not "runt:exec",
# fewer than 7 arguments, REPORT not a number), it says so on fd 2 and exits 126 without
# executing anything.
.globl _start
.text
_start:
    mov (%rsp), %rbp            # argc
    cmp $7, %rbp
    jb refuse
    mov 8(%rsp), %rsi           # argv[0]
    lea magic(%rip), %rdi
1:  mov (%rsi), %al
    cmp (%rdi), %al
    jne refuse
    inc %rsi
    inc %rdi
    test %al, %al
    jnz 1b

    mov 24(%rsp), %rsi          # REPORT, in decimal
    xor %r14d, %r14d
    movzbl (%rsi), %eax
    test %eax, %eax
    jz refuse
2:  movzbl (%rsi), %eax
    test %eax, %eax
    jz 3f
    sub $'0', %eax
    cmp $9, %eax
    ja refuse
    imul $10, %r14d, %r14d
    add %eax, %r14d
    inc %rsi
    jmp 2b
3:  mov %r14d, %edi
    mov $2, %esi                # F_SETFD
    mov $1, %edx                # FD_CLOEXEC
    mov $72, %eax               # fcntl
    syscall
    test %eax, %eax             # not marked: the command must not get it, and runt is told
    jnz 7f

    mov 16(%rsp), %rdi          # FILE
    lea 56(%rsp), %rsi          # &argv[6]
    lea 16(%rsp,%rbp,8), %rdx   # envp: past argv's NULL
    mov $59, %eax               # execve
    syscall

7:  neg %eax
    mov %eax, %r12d             # errno
    xor %r13d, %r13d            # the errno sent: none but for OTHER
    mov $127, %ebx
    mov 32(%rsp), %rsi          # NOENT
    cmp $2, %r12d
    je 4f
    mov $126, %ebx
    mov 40(%rsp), %rsi          # ACCES
    cmp $13, %r12d
    je 4f
    mov 48(%rsp), %rsi          # OTHER
    mov %r12d, %r13d
4:  sub $16, %rsp               # the report's head: 'E', status, errno
    movb $'E', (%rsp)
    mov %bl, 1(%rsp)
    mov %r13d, 2(%rsp)
    mov %rsi, %r15
    mov %r14d, %edi
    mov %rsp, %rsi
    mov $6, %edx
    mov $1, %eax                # write
    syscall
    mov %r14d, %edi
    mov %r15, %rsi
    call print
    jmp leave

refuse:
    mov $126, %ebx
    mov $2, %edi
    lea refusal(%rip), %rsi
    call print
leave:
    mov %ebx, %edi
    mov $231, %eax              # exit_group
    syscall

# Writes the NUL-terminated string at %rsi to the descriptor %edi.
print:
    mov %rsi, %rdx
5:  cmpb $0, (%rdx)
    je 6f
    inc %rdx
    jmp 5b
6:  sub %rsi, %rdx
    mov $1, %eax                # write
    syscall
    ret

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

# No executable stack.
.section .note.GNU-stack,"",@progbits
