# runt's exec trampoline for riscv64: as x86_64.s says.
.globl _start
.text
_start:
    mv s1, sp
    ld s2, 0(s1)                # argc
    li t1, 7
    bltu s2, t1, refuse
    ld a1, 8(s1)                # argv[0]
    lla a2, magic
1:  lbu t2, 0(a1)
    lbu t3, 0(a2)
    bne t2, t3, refuse
    addi a1, a1, 1
    addi a2, a2, 1
    bnez t2, 1b

    ld a0, 16(s1)               # FILE
    addi a1, s1, 56             # &argv[6]
    slli a2, s2, 3
    add a2, a2, s1
    addi a2, a2, 16             # envp: past argv's NULL
    li a7, 221                  # execve
    ecall

    neg s3, a0                  # errno
    li s4, 127
    ld a1, 24(s1)               # NOENT
    li t1, 2
    beq s3, t1, say
    li s4, 126
    ld a1, 32(s1)               # ACCES
    li t1, 13
    beq s3, t1, say
    ld a1, 40(s1)               # NOEXEC
    li t1, 8
    beq s3, t1, say
    ld a1, 48(s1)               # OTHER, then the errno and a newline
    call print
    addi sp, s1, -32
    addi a1, s1, -1
    li t1, 10
    sb t1, 0(a1)
2:  remu t2, s3, t1
    divu s3, s3, t1
    addi t2, t2, '0'
    addi a1, a1, -1
    sb t2, 0(a1)
    bnez s3, 2b
    sub a2, s1, a1
    li a0, 2
    li a7, 64                   # write
    ecall
    j leave

refuse:
    li s4, 126
    lla a1, refusal
say:
    call print
leave:
    mv a0, s4
    li a7, 94                   # exit_group
    ecall

# Writes the NUL-terminated string at a1 to fd 2.
print:
    mv a2, a1
3:  lbu t2, 0(a2)
    beqz t2, 4f
    addi a2, a2, 1
    j 3b
4:  sub a2, a2, a1
    li a0, 2
    li a7, 64                   # write
    ecall
    ret

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

# No executable stack.
.section .note.GNU-stack,"",@progbits
