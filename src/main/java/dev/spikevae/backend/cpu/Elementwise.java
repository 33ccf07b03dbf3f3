package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.UnaryOp;

/** Elementwise and broadcast arithmetic, activations and time filters. STUB. */
final class Elementwise {
    private final Parallel parallel;

    Elementwise(Parallel parallel) {
        this.parallel = parallel;
    }

    void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n, float p) {
        throw new UnsupportedOperationException();
    }

    void unaryBackward(UnaryOp op, float[] x, int xo, float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n,
                       float p) {
        throw new UnsupportedOperationException();
    }

    void binary(BinaryOp op, float[] a, int ao, Shape as, float[] b, int bo, Shape bs, float[] out, int oo, Shape os) {
        throw new UnsupportedOperationException();
    }

    void axpby(float alpha, float[] x, int xo, float beta, float[] y, int yo, int n) {
        throw new UnsupportedOperationException();
    }

    void affine(float[] x, int xo, float alpha, float beta, float[] y, int yo, int n) {
        throw new UnsupportedOperationException();
    }

    void leakyScan(float[] x, int xo, float[] y, int yo, int steps, int m, float decay, float gain) {
        throw new UnsupportedOperationException();
    }

    void leakyScanBackward(float[] dy, int dyo, float[] dx, int dxo, int steps, int m, float decay, float gain) {
        throw new UnsupportedOperationException();
    }
}
