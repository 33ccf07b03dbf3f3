package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TransposedToThree} on one thread's scratch across layouts: a 32 x 32 image, then 16 x 32 (a smaller padded
 * plane in the same buffer, whose padding the first layout's rows would otherwise cover), then 32 x 32 again, each
 * within 1e-5 of its sums of absolute products of the GEMM path (the direct convolutions switched off). Runs where
 * the path applies: 16 float lanes.
 */
class TransposedToThreeTest {
    @Test
    void everyLayoutReadsZeroPadding() {
        ConvGeometry big = ConvGeometry.transposed(3, 5, 32, 32, 3, 3, 1, 1, 0);
        ConvGeometry small = ConvGeometry.transposed(3, 5, 16, 32, 3, 3, 1, 1, 0);
        assumeTrue(VectorSupport.available() && TransposedToThree.fits(big) && TransposedToThree.fits(small),
                "the three-channel transposed pass needs 16 float lanes");
        Parallel pool = new Parallel(1);
        Sgemm sgemm = new Sgemm(pool, SgemmVectorKernelFactory.create());
        Conv direct = new Conv(pool, sgemm);
        Conv gemm = new Conv(pool, sgemm);
        gemm.setDirect(false);
        Random rnd = new Random(3);
        for (ConvGeometry g : new ConvGeometry[] {big, small, big}) {
            float[] dy = new float[g.outputShape().numel()];
            for (int i = 0; i < dy.length; i++) {
                dy[i] = rnd.nextFloat() * 2 - 1;
            }
            float[] w = new float[g.weightShape().numel()];
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextFloat() * 2 - 1;
            }
            float[] absDy = dy.clone();
            float[] absW = w.clone();
            for (int i = 0; i < absDy.length; i++) {
                absDy[i] = Math.abs(absDy[i]);
            }
            for (int i = 0; i < absW.length; i++) {
                absW[i] = Math.abs(absW[i]);
            }
            int n = g.inputShape().numel();
            float[] got = new float[n];
            float[] expect = new float[n];
            float[] scale = new float[n];
            direct.backwardData(ConvOperand.of(dy, 0), w, 0, null, 0, got, 0, g);
            gemm.backwardData(ConvOperand.of(dy, 0), w, 0, null, 0, expect, 0, g);
            gemm.backwardData(ConvOperand.of(absDy, 0), absW, 0, null, 0, scale, 0, g);
            for (int i = 0; i < n; i++) {
                assertTrue(Math.abs(got[i] - expect[i]) <= 1e-5 * scale[i] + 1e-30, g + ": element " + i + " is "
                        + got[i] + ", on the GEMM path " + expect[i]);
            }
        }
    }
}
