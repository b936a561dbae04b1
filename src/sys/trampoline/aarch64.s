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

    ldr x1, [x19, #24]          // REPORT, in decimal
    mov x23, #0
    ldrb w3, [x1]
    cbz w3, refuse
    mov x4, #10
2:  ldrb w3, [x1], #1
    cbz w3, 3f
    sub w3, w3, #'0'
    cmp w3, #9
    b.hi refuse
    madd x23, x23, x4, x3
    b 2b
3:  mov x0, x23
    mov x1, #2                  // F_SETFD
    mov x2, #1                  // FD_CLOEXEC
    mov x8, #25                 // fcntl
    svc #0
    cbnz x0, 7f                 // not marked: the command must not get it, and runt is told

    ldr x0, [x19, #16]          // FILE
    add x1, x19, #56            // &argv[6]
    add x2, x19, x20, lsl #3
    add x2, x2, #16             // envp: past argv's NULL
    mov x8, #221                // execve
    svc #0

7:  neg x21, x0                 // errno
    mov x24, #0                 // the errno sent: none but for OTHER
    mov x22, #127
    ldr x25, [x19, #32]         // NOENT
    cmp x21, #2
    b.eq 4f
    mov x22, #126
    ldr x25, [x19, #40]         // ACCES
    cmp x21, #13
    b.eq 4f
    ldr x25, [x19, #48]         // OTHER
    mov x24, x21
4:  sub sp, x19, #16            // the report's head: 'E', status, errno
    mov w3, #'E'
    strb w3, [sp]
    strb w22, [sp, #1]
    strb w24, [sp, #2]
    strb wzr, [sp, #3]
    strb wzr, [sp, #4]
    strb wzr, [sp, #5]
    mov x0, x23
    mov x1, sp
    mov x2, #6
    mov x8, #64                 // write
    svc #0
    mov x0, x23
    mov x1, x25
    bl print
    b leave

refuse:
    mov x22, #126
    mov x0, #2
    adr x1, refusal
    bl print
leave:
    mov x0, x22
    mov x8, #94                 // exit_group
    svc #0

// Writes the NUL-terminated string at x1 to the descriptor x0.
print:
    mov x2, x1
5:  ldrb w3, [x2]
    cbz w3, 6f
    add x2, x2, #1
    b 5b
6:  sub x2, x2, x1
    mov x8, #64                 // write
    svc #0
    ret

magic:
    .asciz "runt:exec"
refusal:
    .asciz "runt: this is runt's exec trampoline, which only runt runs\n"

// No executable stack.
.section .note.GNU-stack,"",@progbits
