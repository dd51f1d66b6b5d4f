"""The numpy and scipy baselines of bench/lsq.sh and bench/invert.sh, each doing the job a coda
program does from the same .npy files: load, solve, save. Run as a whole process it is timed
with Python's start-up and imports, as coda's programs are with theirs; it also prints its
own times, from the first load to the last save, and of the solve alone.

  np_baseline.py lstsq numpy|scipy A.npy B.npy X.npy  np.linalg.lstsq (LAPACK gelsd) or
                                                      scipy.linalg.lstsq(lapack_driver='gelsy')
  np_baseline.py inv A.npy X.npy                      np.linalg.inv (LAPACK gesv against I)
  np_baseline.py lsqerr A.npy B.npy XREF X...         per X: ||X - XREF|| / ||XREF||,
                                                      ||A (X - XREF)|| / ||A XREF||,
                                                      ||A X - B|| / ||B||
  np_baseline.py inverr A.npy X...                    per X: ||A X - I||_F / (||A||_F ||X||_F)

Prints "IO_SOLVE_SECONDS SOLVE_SECONDS" for the jobs, one line of errors per X for the checks.
Any format coda writes that numpy reads (.npy) is taken; coda's x of a 1-D b is 1-D or n x 1,
both compared as vectors."""
import sys
import time

import numpy as np


def lstsq(lib, a_path, b_path, x_path):
    t0 = time.perf_counter()
    a, b = np.load(a_path), np.load(b_path)
    t1 = time.perf_counter()
    if lib == "numpy":
        x = np.linalg.lstsq(a, b, rcond=None)[0]
    else:
        import scipy.linalg  # imported before the clock in main

        x = scipy.linalg.lstsq(a, b, lapack_driver="gelsy", check_finite=False)[0]
    t2 = time.perf_counter()
    np.save(x_path, x)
    print("%.6f %.6f" % (time.perf_counter() - t0, t2 - t1))


def inv(a_path, x_path):
    t0 = time.perf_counter()
    a = np.load(a_path)
    t1 = time.perf_counter()
    x = np.linalg.inv(a)
    t2 = time.perf_counter()
    np.save(x_path, x)
    print("%.6f %.6f" % (time.perf_counter() - t0, t2 - t1))


def lsqerr(a_path, b_path, ref_path, xs):
    a, b = np.load(a_path), np.load(b_path).reshape(-1)
    ref = np.load(ref_path).reshape(-1)
    aref = a @ ref
    for p in xs:
        x = np.load(p).reshape(-1)
        print("%.2e %.2e %.15e" % (np.linalg.norm(x - ref) / np.linalg.norm(ref),
                                   np.linalg.norm(a @ (x - ref)) / np.linalg.norm(aref),
                                   np.linalg.norm(a @ x - b) / np.linalg.norm(b)))


def inverr(a_path, xs):
    a = np.load(a_path)
    eye = np.eye(a.shape[0])
    for p in xs:
        x = np.load(p)
        print("%.2e" % (np.linalg.norm(a @ x - eye) / (np.linalg.norm(a) * np.linalg.norm(x))))


def main(argv):
    if len(argv) == 6 and argv[1] == "lstsq" and argv[2] in ("numpy", "scipy"):
        if argv[2] == "scipy":
            import scipy.linalg  # noqa: F401  (start-up, as coda's is: outside its own clock)
        lstsq(*argv[2:])
    elif len(argv) == 4 and argv[1] == "inv":
        inv(*argv[2:])
    elif len(argv) >= 6 and argv[1] == "lsqerr":
        lsqerr(argv[2], argv[3], argv[4], argv[5:])
    elif len(argv) >= 4 and argv[1] == "inverr":
        inverr(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
