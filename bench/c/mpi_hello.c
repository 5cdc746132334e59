/* W5 baseline: the smallest MPI program, run as `mpirun -n 2 mpi_hello`. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) printf("hello\n");
  MPI_Finalize();
  return 0;
}
