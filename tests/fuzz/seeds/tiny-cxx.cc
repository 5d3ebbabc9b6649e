namespace ns { struct C { __attribute__((noinline)) int m(int x) { return x * 3; } }; }
extern "C" void _start() { ns::C c; int rc = c.m(1) - 3; __asm__ volatile("syscall" : : "a"(60), "D"(rc)); for (;;); }
