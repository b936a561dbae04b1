@ runt's exec trampoline for 32-bit ARM (EABI, ARM state): as x86_64.s says. No udiv: not
@ every ARMv7 CPU has it.
.globl _start
.text
.arm
_start:
    mov r11, sp
    ldr r8, [r11]               @ argc
    cmp r8, #7
    blo refuse
    ldr r1, [r11, #4]           @ argv[0]
    adr r2, magic
1:  ldrb r3, [r1], #1
    ldrb r4, [r2], #1
    cmp r3, r4
    bne refuse
    cmp r3, #0
    bne 1b

    ldr r0, [r11, #8]           @ FILE
    add r1, r11, #28            @ &argv[6]
    add r2, r11, r8, lsl #2
    add r2, r2, #8              @ envp: past argv's NULL
    mov r7, #11                 @ execve
    svc #0

    rsb r9, r0, #0              @ errno
    mov r10, #127
    ldr r1, [r11, #12]          @ NOENT
    cmp r9, #2
    beq say
    mov r10, #126
    ldr r1, [r11, #16]          @ ACCES
    cmp r9, #13
    beq say
    ldr r1, [r11, #20]          @ NOEXEC
    cmp r9, #8
    beq say
    ldr r1, [r11, #24]          @ OTHER, then the errno and a newline
    bl print
    sub sp, r11, #32
    sub r1, r11, #1
    mov r3, #10
    strb r3, [r1]
2:  mov r4, #0                  @ r9 / 10 by subtraction: the quotient in r4, the rest in r9
3:  cmp r9, #10
    blo 4f
    sub r9, r9, #10
    add r4, r4, #1
    b 3b
4:  add r9, r9, #'0'
    strb r9, [r1, #-1]!
    movs r9, r4
    bne 2b
    sub r2, r11, r1
    mov r0, #2
    mov r7, #4                  @ write
    svc #0
    b leave

refuse:
    mov r10, #126
    adr r1, refusal
say:
    bl print
leave:
    mov r0, r10
    mov r7, #248                @ exit_group
    svc #0

@ Writes the NUL-terminated string at r1 to fd 2.
print:
    mov r2, r1
5:  ldrb r3, [r2]
    cmp r3, #0
    beq 6f
    add r2, r2, #1
    b 5b
6:  sub r2, r2, r1
    mov r0, #2
    mov r7, #4                  @ write
    svc #0
    bx lr

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

@ No executable stack.
.section .note.GNU-stack,"",%progbits
