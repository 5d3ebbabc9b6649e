! falloc.f90 - a Fortran subroutine that allocates an array of 8 Mi
! doubles (untouched: ~0 MiB), clears it (touched: ~64 MiB; a memset, so
! one line event at -O2 too), sums it in a loop of 16 strided steps and
! frees it (~-64 MiB).  The module
! procedure's DWARF name is arrays::fill_array; the PROGRAM unit falloc
! is what memprof profiles by default.
module arrays
  implicit none
contains
  subroutine fill_array(n, total)
    integer, intent(in) :: n
    real(8), intent(out) :: total
    real(8), allocatable :: a(:)
    integer :: i
    allocate(a(n))
    a = 0
    total = 0
    do i = 1, n, n / 16
      total = total + a(i) + 1.5d0
    end do
    deallocate(a)
  end subroutine fill_array
end module arrays

program falloc
  use arrays
  implicit none
  real(8) :: t
  call fill_array(8388608, t)
  print '(f6.1)', t
end program falloc
