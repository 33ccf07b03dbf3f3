package dev.spikevae.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians, {@code ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2)}, in
 * double precision, as the published evaluation computes it (docs/reference.md §6.4): when the square root is not
 * finite, {@code 1e-6} is added to both diagonals and it is taken again; a complex root counts by its real part.
 *
 * <p>The trace of the root is computed through a symmetric problem: {@code S1 S2} is similar to {@code R S2 R} with
 * {@code R = sqrt(S1)} (symmetric positive semi-definite), so {@code tr sqrt(S1 S2)} is the sum of the square roots of
 * the eigenvalues of {@code R S2 R}. Eigenvalues that rounding leaves slightly negative have a purely imaginary root,
 * whose real part is 0, so they count as 0 — the real part the published code keeps.
 */
public final class FrechetDistance {
    /** What the published code adds to both diagonals when the root of the product is not finite. */
    public static final double FALLBACK_EPS = 1e-6;

    private FrechetDistance() {}

    /** The distance between {@code a} and {@code b}, which must have the same dimension. */
    public static double between(GaussianStats a, GaussianStats b) {
        return compute(a, b).distance();
    }

    /** The distance and how it was obtained. */
    public record Result(double distance, double meanTerm, double traceRoot, boolean usedFallback) {}

    /** The distance between {@code a} and {@code b} with its parts. */
    public static Result compute(GaussianStats a, GaussianStats b) {
        int d = a.dimension();
        if (b.dimension() != d) {
            throw new IllegalArgumentException("Fréchet distance: statistics of dimension " + d + " and "
                    + b.dimension() + " (" + a.source() + ", " + b.source() + ")");
        }
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            meanTerm += diff * diff;
        }
        DMatrixRMaj s1 = matrix(a.covariance(), d);
        DMatrixRMaj s2 = matrix(b.covariance(), d);
        double traceRoot = traceSqrtProduct(s1, s2);
        boolean fallback = false;
        if (!Double.isFinite(traceRoot)) {
            fallback = true;
            for (int i = 0; i < d; i++) {
                s1.add(i, i, FALLBACK_EPS);
                s2.add(i, i, FALLBACK_EPS);
            }
            traceRoot = traceSqrtProduct(s1, s2);
            if (!Double.isFinite(traceRoot)) {
                throw new ArithmeticException("Fréchet distance: no finite square root of the covariance product, even with "
                        + FALLBACK_EPS + " added to the diagonals (" + a.source() + ", " + b.source() + ")");
            }
        }
        double distance = meanTerm + trace(a.covariance(), d) + trace(b.covariance(), d) - 2 * traceRoot;
        return new Result(distance, meanTerm, traceRoot, fallback);
    }

    /** {@code tr sqrt(S1 S2)} via the symmetric {@code sqrt(S1) S2 sqrt(S1)}; NaN when a decomposition fails. */
    static double traceSqrtProduct(DMatrixRMaj s1, DMatrixRMaj s2) {
        if (!finite(s1) || !finite(s2)) {
            return Double.NaN;
        }
        DMatrixRMaj root = symmetricSqrt(s1);
        if (root == null) {
            return Double.NaN;
        }
        int d = s1.numRows;
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(root, s2, tmp);
        CommonOps_DDRM.mult(tmp, root, m);
        double[] eig = symmetricEigenvalues(m);
        if (eig == null) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : eig) {
            sum += v > 0 ? Math.sqrt(v) : 0;
        }
        return sum;
    }

    /** The symmetric positive semi-definite root of the symmetric part of {@code s}, negative eigenvalues as 0. */
    private static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
        int d = s.numRows;
        DMatrixRMaj sym = symmetrised(s);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(sym)) {
            return null;
        }
        DMatrixRMaj root = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            double lambda = eig.getEigenvalue(k).getReal();
            DMatrixRMaj v = eig.getEigenVector(k);
            if (v == null || !(lambda > 0)) {
                if (v == null && lambda > 0) {
                    return null;
                }
                continue;
            }
            double r = Math.sqrt(lambda);
            for (int i = 0; i < d; i++) {
                double vi = v.get(i) * r;
                for (int j = 0; j < d; j++) {
                    root.add(i, j, vi * v.get(j));
                }
            }
        }
        return root;
    }

    private static double[] symmetricEigenvalues(DMatrixRMaj m) {
        int d = m.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eig.decompose(symmetrised(m))) {
            return null;
        }
        double[] values = new double[d];
        for (int k = 0; k < d; k++) {
            values[k] = eig.getEigenvalue(k).getReal();
        }
        return values;
    }

    private static DMatrixRMaj symmetrised(DMatrixRMaj s) {
        int d = s.numRows;
        DMatrixRMaj sym = new DMatrixRMaj(d, d);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                sym.set(i, j, 0.5 * (s.get(i, j) + s.get(j, i)));
            }
        }
        return sym;
    }

    private static boolean finite(DMatrixRMaj m) {
        for (double v : m.data) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static DMatrixRMaj matrix(double[] rowMajor, int d) {
        return new DMatrixRMaj(d, d, true, rowMajor.clone());
    }

    private static double trace(double[] rowMajor, int d) {
        double t = 0;
        for (int i = 0; i < d; i++) {
            t += rowMajor[i * d + i];
        }
        return t;
    }
}
