/* dlopener.c - loads a library with dlopen, calls lib_grow, unloads it,
 * and does it all again.  Usage: dlopener LIBRARY */
#include <dlfcn.h>
#include <stdio.h>

static int use(const char *path, int mib)
{
	void *h = dlopen(path, RTLD_NOW);
	long (*grow)(int);

	if (!h) {
		fprintf(stderr, "dlopener: %s\n", dlerror());
		return -1;
	}
	grow = (long (*)(int))dlsym(h, "lib_grow");
	if (!grow)
		return -1;
	printf("grow %ld\n", grow(mib));
	dlclose(h);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || use(argv[1], 16) < 0 || use(argv[1], 16) < 0)
		return 1;
	return 0;
}
