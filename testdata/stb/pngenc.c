/* pngenc.c - a driver for a real program packaged in Debian: the PNG
 * encoder and decoder of the stb single-header libraries (libstb-dev's
 * stb_image_write.h and stb_image.h), compiled here with -g.
 *
 * Encodes a W x H RGB image (a gradient with noise, so that zlib has real
 * work) in memory with stbi_write_png_to_mem, decodes it back with
 * stbi_load_from_memory and checks every pixel.  Usage: pngenc [W [H]].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

int main(int argc, char **argv)
{
	int w = argc > 1 ? atoi(argv[1]) : 2048;
	int h = argc > 2 ? atoi(argv[2]) : w;
	unsigned char *pixels, *png, *back;
	uint32_t seed = 2463534242u;
	int len, bw, bh, bn, same;

	if (w <= 0 || h <= 0 || w > 16384 || h > 16384) {
		fprintf(stderr, "usage: pngenc [W [H]] (1 to 16384)\n");
		return 2;
	}
	pixels = malloc((size_t)w * h * 3);
	if (!pixels)
		return 1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *p = pixels + ((size_t)y * w + x) * 3;

			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			p[0] = (unsigned char)(x * 255 / w + (seed & 7));
			p[1] = (unsigned char)(y * 255 / h + (seed >> 8 & 7));
			p[2] = (unsigned char)((x ^ y) + (seed >> 16 & 3));
		}
	/* One filter for every row: stb's search for the best one runs a
	 * per-byte loop inside the profiled function (millions of line
	 * events); the encoder does the same work otherwise. */
	stbi_write_force_png_filter = 1;
	png = stbi_write_png_to_mem(pixels, 0, w, h, 3, &len);
	if (!png)
		return 1;
	back = stbi_load_from_memory(png, len, &bw, &bh, &bn, 3);
	same = back && bw == w && bh == h &&
	       memcmp(back, pixels, (size_t)w * h * 3) == 0;
	printf("%dx%d: PNG of %d bytes, %s\n", w, h, len,
	       same ? "decodes to the same pixels" : "DECODES DIFFERENTLY");
	stbi_image_free(back);
	free(png);
	free(pixels);
	return same ? 0 : 1;
}
