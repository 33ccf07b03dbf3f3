package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cuDNN descriptor values of convolution geometries, plain and transposed (no GPU needed). */
class CudnnConvParamsTest {

    @Test
    void aConvolutionMapsToItsOwnTensorsFilterPaddingAndStride() {
        // batch 3, 3 channels of 9x7, 5 filters 3x3, stride 2, padding 1: out (9+2-3)/2+1 = 5 by (7+2-3)/2+1 = 4
        ConvGeometry g = ConvGeometry.conv(3, 3, 9, 7, 5, 3, 2, 1);
        CudnnConvParams p = CudnnConvParams.of(g);
        assertEquals(new CudnnConvParams.Dims(3, 3, 9, 7), p.x());
        assertEquals(new CudnnConvParams.Dims(5, 3, 3, 3), p.filter());
        assertEquals(new CudnnConvParams.Dims(3, 5, 5, 4), p.y());
        assertEquals(new CudnnConvParams.Dims(1, 5, 1, 1), p.bias());
        assertEquals(new CudnnConvParams.Dims(1, 3, 1, 1), p.dataBias());
        assertEquals(1, p.padH());
        assertEquals(1, p.padW());
        assertEquals(2, p.strideH());
        assertEquals(2, p.strideW());
        assertEquals(1, p.dilationH());
        assertEquals(1, p.dilationW());
        assertEquals(CudnnConvParams.CROSS_CORRELATION, p.mode());
    }

    @Test
    void heightAndWidthKeepTheirOwnKernelStrideAndPadding() {
        // 17x18 input, 3x5 kernel, stride 1x2, padding 1x2: out (17+2-3)/1+1 = 17 by (18+4-5)/2+1 = 9
        ConvGeometry g = new ConvGeometry(2, 4, 17, 18, 3, 3, 5, 1, 2, 1, 2, 17, 9);
        CudnnConvParams p = CudnnConvParams.of(g);
        assertEquals(new CudnnConvParams.Dims(3, 4, 3, 5), p.filter());
        assertEquals(new CudnnConvParams.Dims(2, 3, 17, 9), p.y());
        assertEquals(1, p.padH());
        assertEquals(2, p.padW());
        assertEquals(1, p.strideH());
        assertEquals(2, p.strideW());
    }

    @Test
    void cudnnsOutputSizeIsEveryConvolutionsOutputSize() {
        int checked = 0;
        for (int in = 1; in <= 12; in++) {
            for (int k = 1; k <= 5; k++) {
                for (int s = 1; s <= 3; s++) {
                    for (int pad = 0; pad <= 2; pad++) {
                        if (in + 2 * pad < k) {
                            continue;
                        }
                        ConvGeometry g = ConvGeometry.conv(2, 3, in, in + 1, 4, k, s, pad);
                        CudnnConvParams p = CudnnConvParams.of(g);
                        assertEquals(g.outH(), CudnnConvParams.forwardOutputSize(p.x().h(), pad, k, s, 1), g.toString());
                        assertEquals(g.outW(), CudnnConvParams.forwardOutputSize(p.x().w(), pad, k, s, 1), g.toString());
                        int tail = CudnnConvParams.uncoveredTail(in, pad, k, s, g.outH());
                        assertTrue(tail >= 0 && tail < s, g + ": tail " + tail);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 500, "geometries checked: " + checked);
    }

    @Test
    void theDilationTermWidensTheKernel() {
        // a 3-tap kernel with dilation 2 spans 5 inputs: 7 inputs give 3 outputs (cuDNN's formula)
        assertEquals(3, CudnnConvParams.forwardOutputSize(7, 0, 3, 1, 2));
        assertEquals(5, CudnnConvParams.forwardOutputSize(7, 0, 3, 1, 1));
    }

    @Test
    void aTransposedConvolutionIsTheBackwardDataOfItsAdjointWithOutputPaddingInDxsSize() {
        int checked = 0;
        for (int in = 1; in <= 6; in++) {
            for (int k = 1; k <= 5; k++) {
                for (int s = 1; s <= 3; s++) {
                    for (int pad = 0; pad <= 2; pad++) {
                        for (int op = 0; op < s; op++) {
                            int out = (in - 1) * s - 2 * pad + k + op;
                            if (out <= 0 || out + 2 * pad < k) {
                                continue;
                            }
                            // ConvTranspose2d(6 -> 5, k, s, pad, op) over [2, 6, in, in]
                            ConvGeometry g = ConvGeometry.transposed(2, 6, in, in, 5, k, s, pad, op);
                            CudnnConvParams p = CudnnConvParams.of(g);
                            String what = "transposed in " + in + " k " + k + " s " + s + " p " + pad + " op " + op;
                            // dx (the transposed output) is cuDNN's x; dy (the transposed input) is cuDNN's y
                            assertEquals(new CudnnConvParams.Dims(2, 5, out, out), p.x(), what);
                            assertEquals(new CudnnConvParams.Dims(2, 6, in, in), p.y(), what);
                            // PyTorch's ConvTranspose weight [in_t, out_t, k, k] is cuDNN's KCRS filter as is
                            assertEquals(new CudnnConvParams.Dims(6, 5, k, k), p.filter(), what);
                            assertEquals(new CudnnConvParams.Dims(1, 5, 1, 1), p.dataBias(), what);
                            assertEquals(pad, p.padH(), what);
                            assertEquals(s, p.strideH(), what);
                            assertEquals(op, CudnnConvParams.uncoveredTail(out, pad, k, s, in), what);
                            assertEquals(in, CudnnConvParams.forwardOutputSize(out, pad, k, s, 1), what);
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked > 200, "geometries checked: " + checked);
    }

    @Test
    void eachDirectionNamesTheCudnnCallThatServesIt() {
        assertEquals("cudnnConvolutionForward", VendorConv.Direction.FORWARD.call());
        assertEquals("cudnnConvolutionBackwardData", VendorConv.Direction.BACKWARD_DATA.call());
        assertEquals("cudnnConvolutionBackwardFilter", VendorConv.Direction.BACKWARD_FILTER.call());
    }
}
