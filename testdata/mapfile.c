/* mapfile.c - a line that maps a 64 MiB file and reads every page of it:
 * +64 MiB of file-backed memory, about nothing anonymous.  Then a line
 * that touches 32 MiB of anonymous memory.  Usage: mapfile FILE */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memprof.h>

#define SIZE (64 << 20)

static volatile long sink;
static char *volatile keep;

__attribute__((noinline)) static long read_all(const char *p)
{
	long sum = 0;

	for (size_t i = 0; i < SIZE; i += 4096)
		sum += p[i];
	return sum;
}

__attribute__((noinline)) int work(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *p = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	sink = read_all(p);
	char *a = malloc(32 << 20);
	memset(a, 1, 32 << 20); keep = a;
	sink += a[100];
	munmap(p, SIZE);
	close(fd);
	return 0;
}
MEMPROF_PROFILE(work);

int main(int argc, char **argv)
{
	char buf[1 << 16];
	FILE *f;

	if (argc < 2 || !(f = fopen(argv[1], "w")))
		return 1;
	memset(buf, 7, sizeof(buf));
	for (int i = 0; i < SIZE / (int)sizeof(buf); i++)
		fwrite(buf, 1, sizeof(buf), f);
	fclose(f);
	return work(argv[1]);
}
