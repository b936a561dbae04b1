# runt's exec trampoline for x86_64: what it is and why in src/sys/trampoline.rs.
#   argv: "runt:exec" FILE NOENT ACCES NOEXEC OTHER ARGV0 ARGV1 ...
# execve(FILE, &argv[6], envp). If that fails, it writes the message runt prepared for the
# error (NOENT, ACCES or NOEXEC; else OTHER followed by the errno in decimal) to fd 2 and exits
# 127 for ENOENT, 126 for any other. Run any other way (argv[0] is not "runt:exec", or fewer
# than 7 arguments), it says so and exits 126 without executing anything.
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

    mov 16(%rsp), %rdi          # FILE
    lea 56(%rsp), %rsi          # &argv[6]
    lea 16(%rsp,%rbp,8), %rdx   # envp: past argv's NULL
    mov $59, %eax               # execve
    syscall

    neg %eax
    mov %eax, %r12d             # errno
    mov $127, %ebx
    mov 24(%rsp), %rsi          # NOENT
    cmp $2, %r12d
    je say
    mov $126, %ebx
    mov 32(%rsp), %rsi          # ACCES
    cmp $13, %r12d
    je say
    mov 40(%rsp), %rsi          # NOEXEC
    cmp $8, %r12d
    je say
    mov 48(%rsp), %rsi          # OTHER, then the errno and a newline
    call print
    mov %rsp, %rsi
    sub $32, %rsp
    dec %rsi
    movb $10, (%rsi)
    mov %r12d, %eax
    mov $10, %ecx
2:  xor %edx, %edx
    div %ecx
    add $'0', %dl
    dec %rsi
    mov %dl, (%rsi)
    test %eax, %eax
    jnz 2b
    lea 32(%rsp), %rdx
    sub %rsi, %rdx
    mov $2, %edi
    mov $1, %eax                # write
    syscall
    jmp leave

refuse:
    mov $126, %ebx
    lea refusal(%rip), %rsi
say:
    call print
leave:
    mov %ebx, %edi
    mov $231, %eax              # exit_group
    syscall

# Writes the NUL-terminated string at %rsi to fd 2.
print:
    mov %rsi, %rdx
3:  cmpb $0, (%rdx)
    je 4f
    inc %rdx
    jmp 3b
4:  sub %rsi, %rdx
    mov $2, %edi
    mov $1, %eax                # write
    syscall
    ret

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

# No executable stack.
.section .note.GNU-stack,"",@progbits
