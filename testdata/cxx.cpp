// cxx.cpp - C++ names: a namespace, a class with overloaded methods, a
// template with two instances, the same name in three scopes.
//
// store::Builder::grow reserves 64 MiB (untouched: ~0) then resizes to it
// (touched: ~64 MiB); add(int) touches 8 MiB, add(double) 4 MiB;
// fill<int> 16 MiB, fill<double> 8 MiB; store::detail::grow 2 MiB and the
// global grow 1 MiB.  Each runs once.
#include <cstddef>
#include <cstdio>
#include <vector>

#include <memprof.h>

namespace store {

class Builder {
public:
	void grow(std::size_t bytes);
	void add(int mib);
	void add(double mib);
	std::size_t total() const;

private:
	std::vector<char> buf_;
	std::vector<std::vector<char>> parts_;
};

__attribute__((noinline)) void Builder::grow(std::size_t bytes)
{
	buf_.reserve(bytes);
	buf_.resize(bytes, 1);
}

__attribute__((noinline)) void Builder::add(int mib)
{
	parts_.emplace_back(std::size_t(mib) << 20, 2);
}

__attribute__((noinline)) void Builder::add(double mib)
{
	parts_.emplace_back(std::size_t(mib * 1048576), 3);
}

__attribute__((noinline)) std::size_t Builder::total() const
{
	std::size_t n = buf_.size();
	for (const auto &p : parts_)
		n += p.size();
	return n;
}

template <typename T>
__attribute__((noinline)) std::vector<T> fill(std::size_t count)
{
	std::vector<T> v;
	v.reserve(count);
	v.resize(count, T(1));
	return v;
}

namespace detail {

__attribute__((noinline)) void grow(std::vector<int> &v, std::size_t n)
{
	v.resize(n, 5);
}

} // namespace detail
} // namespace store

__attribute__((noinline)) void grow(std::vector<char> &v, std::size_t n)
{
	v.resize(n, 6);
}

MEMPROF_PROFILE(store::Builder::grow);

int main()
{
	store::Builder b;
	b.grow(64 << 20);
	b.add(8);
	b.add(4.0);
	std::vector<int> ints = store::fill<int>(4 << 20);
	std::vector<double> doubles = store::fill<double>(1 << 20);
	std::vector<int> small;
	store::detail::grow(small, 512 << 10);
	std::vector<char> tiny;
	grow(tiny, 1 << 20);
	std::printf("%zu %zu %zu %zu %zu\n", b.total(), ints.size(),
		    doubles.size(), small.size(), tiny.size());
	return 0;
}
