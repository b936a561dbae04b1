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

    ld a1, 24(s1)               # REPORT, in decimal
    li s5, 0
    lbu t2, 0(a1)
    beqz t2, refuse
    li t3, 10
    li t4, 9
2:  lbu t2, 0(a1)
    beqz t2, 3f
    addi t2, t2, -'0'
    bltu t4, t2, refuse
    mul s5, s5, t3
    add s5, s5, t2
    addi a1, a1, 1
    j 2b
3:  mv a0, s5
    li a1, 2                    # F_SETFD
    li a2, 1                    # FD_CLOEXEC
    li a7, 25                   # fcntl
    ecall
    bnez a0, 7f                 # not marked: the command must not get it, and runt is told

    ld a0, 16(s1)               # FILE
    addi a1, s1, 56             # &argv[6]
    slli a2, s2, 3
    add a2, a2, s1
    addi a2, a2, 16             # envp: past argv's NULL
    li a7, 221                  # execve
    ecall

7:  neg s3, a0                  # errno
    li s6, 0                    # the errno sent: none but for OTHER
    li s4, 127
    ld s7, 32(s1)               # NOENT
    li t1, 2
    beq s3, t1, 4f
    li s4, 126
    ld s7, 40(s1)               # ACCES
    li t1, 13
    beq s3, t1, 4f
    ld s7, 48(s1)               # OTHER
    mv s6, s3
4:  addi sp, s1, -16            # the report's head: 'E', status, errno
    li t1, 'E'
    sb t1, 0(sp)
    sb s4, 1(sp)
    sb s6, 2(sp)
    sb zero, 3(sp)
    sb zero, 4(sp)
    sb zero, 5(sp)
    mv a0, s5
    mv a1, sp
    li a2, 6
    li a7, 64                   # write
    ecall
    mv a0, s5
    mv a1, s7
    call print
    j leave

refuse:
    li s4, 126
    li a0, 2
    lla a1, refusal
    call print
leave:
    mv a0, s4
    li a7, 94                   # exit_group
    ecall

# Writes the NUL-terminated string at a1 to the descriptor a0.
print:
    mv a2, a1
5:  lbu t2, 0(a2)
    beqz t2, 6f
    addi a2, a2, 1
    j 5b
6:  sub a2, a2, a1
    li a7, 64                   # write
    ecall
    ret

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

# No executable stack.
.section .note.GNU-stack,"",@progbits
