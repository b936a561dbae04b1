@ runt's exec trampoline for 32-bit ARM (EABI, ARM state): as x86_64.s says.
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

    ldr r1, [r11, #12]          @ REPORT, in decimal
    mov r6, #0
    ldrb r3, [r1]
    cmp r3, #0
    beq refuse
    mov r4, #10
2:  ldrb r3, [r1], #1
    cmp r3, #0
    beq 3f
    sub r3, r3, #'0'
    cmp r3, #9
    bhi refuse
    mla r6, r4, r6, r3
    b 2b
3:  mov r0, r6
    mov r1, #2                  @ F_SETFD
    mov r2, #1                  @ FD_CLOEXEC
    mov r7, #55                 @ fcntl
    svc #0
    cmp r0, #0                  @ not marked: the command must not get it, and runt is told
    bne 7f

    ldr r0, [r11, #8]           @ FILE
    add r1, r11, #28            @ &argv[6]
    add r2, r11, r8, lsl #2
    add r2, r2, #8              @ envp: past argv's NULL
    mov r7, #11                 @ execve
    svc #0

7:  rsb r9, r0, #0              @ errno
    mov r5, #0                  @ the errno sent: none but for OTHER
    mov r10, #127
    ldr r1, [r11, #16]          @ NOENT
    cmp r9, #2
    beq 4f
    mov r10, #126
    ldr r1, [r11, #20]          @ ACCES
    cmp r9, #13
    beq 4f
    ldr r1, [r11, #24]          @ OTHER
    mov r5, r9
4:  sub sp, r11, #16            @ the report's head: 'E', status, errno
    mov r3, #'E'
    strb r3, [sp]
    strb r10, [sp, #1]
    strb r5, [sp, #2]
    mov r3, #0
    strb r3, [sp, #3]
    strb r3, [sp, #4]
    strb r3, [sp, #5]
    mov r9, r1
    mov r0, r6
    mov r1, sp
    mov r2, #6
    mov r7, #4                  @ write
    svc #0
    mov r0, r6
    mov r1, r9
    bl print
    b leave

refuse:
    mov r10, #126
    mov r0, #2
    adr r1, refusal
    bl print
leave:
    mov r0, r10
    mov r7, #248                @ exit_group
    svc #0

@ Writes the NUL-terminated string at r1 to the descriptor r0.
print:
    mov r2, r1
5:  ldrb r3, [r2]
    cmp r3, #0
    beq 6f
    add r2, r2, #1
    b 5b
6:  sub r2, r2, r1
    mov r7, #4                  @ write
    svc #0
    bx lr

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

@ No executable stack.
.section .note.GNU-stack,"",%progbits
