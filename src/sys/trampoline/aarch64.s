// runt's exec trampoline for aarch64: as x86_64.s says.
.globl _start
.text
_start:
    mov x19, sp
    ldr x20, [x19]              // argc
    cmp x20, #7
    b.lo refuse
    ldr x1, [x19, #8]           // argv[0]
    adr x2, magic
1:  ldrb w3, [x1], #1
    ldrb w4, [x2], #1
    cmp w3, w4
    b.ne refuse
    cbnz w3, 1b

    ldr x0, [x19, #16]          // FILE
    add x1, x19, #56            // &argv[6]
    add x2, x19, x20, lsl #3
    add x2, x2, #16             // envp: past argv's NULL
    mov x8, #221                // execve
    svc #0

    neg x21, x0                 // errno
    mov x22, #127
    ldr x1, [x19, #24]          // NOENT
    cmp x21, #2
    b.eq say
    mov x22, #126
    ldr x1, [x19, #32]          // ACCES
    cmp x21, #13
    b.eq say
    ldr x1, [x19, #40]          // NOEXEC
    cmp x21, #8
    b.eq say
    ldr x1, [x19, #48]          // OTHER, then the errno and a newline
    bl print
    sub sp, x19, #32
    sub x1, x19, #1
    mov w3, #10
    strb w3, [x1]
    mov x4, #10
2:  udiv x5, x21, x4
    msub x6, x5, x4, x21        // the last digit
    add w6, w6, #'0'
    strb w6, [x1, #-1]!
    mov x21, x5
    cbnz x21, 2b
    sub x2, x19, x1
    mov x0, #2
    mov x8, #64                 // write
    svc #0
    b leave

refuse:
    mov x22, #126
    adr x1, refusal
say:
    bl print
leave:
    mov x0, x22
    mov x8, #94                 // exit_group
    svc #0

// Writes the NUL-terminated string at x1 to fd 2.
print:
    mov x2, x1
3:  ldrb w3, [x2]
    cbz w3, 4f
    add x2, x2, #1
    b 3b
4:  sub x2, x2, x1
    mov x0, #2
    mov x8, #64                 // write
    svc #0
    ret

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

// No executable stack.
.section .note.GNU-stack,"",@progbits
