/* sysno: make raw system calls by number from inside a container and print
   what each returned, for seccomp tests that need numbers no shell command
   reaches (numbers the kernel or libseccomp doesn't know, syscalls a profile
   leaves out).  Usage: sysno NR...; prints "NR=ERRNO" per call (0 on
   success), every argument 0.  Static, so it runs in any rootfs:
   gcc -static -O2 -o sysno sysno.c */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      long nr = strtol (argv[i], NULL, 0);
      errno = 0;
      long r = syscall (nr, 0L, 0L, 0L, 0L, 0L, 0L);
      printf ("%ld=%d\n", nr, r < 0 ? errno : 0);
    }
  return 0;
}
