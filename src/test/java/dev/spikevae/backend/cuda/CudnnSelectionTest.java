package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the convolutions use cuDNN and what doctor says about it. */
class CudnnSelectionTest {
    private static final ConvGeometry G = ConvGeometry.conv(2, 3, 8, 8, 4, 3, 1, 1);

    @Test
    void cudnnServesOnlyNonEmptyBatchesOfF32OperandsWhenItIsThere() {
        assertTrue(CudaConv.vendorServes(true, G, DType.F32));
        assertTrue(CudaConv.vendorServes(true, G, DType.F32, DType.F32));
        assertFalse(CudaConv.vendorServes(false, G, DType.F32), "not loaded or turned off");
        assertFalse(CudaConv.vendorServes(true, G, DType.U8), "u8 spikes");
        assertFalse(CudaConv.vendorServes(true, G, DType.F32, DType.U8), "u8 output gradient");
        assertFalse(CudaConv.vendorServes(true, G.withBatch(0), DType.F32), "empty batch");
    }

    @Test
    void doctorsConvLineSaysWhichPathConvolutionsTake() {
        assertEquals("cuDNN for f32 operands; u8 spike operands and empty batches: im2col + GEMM (cuBLAS)",
                CudaCapabilities.convolutionPath(true, true, false));
        assertEquals("im2col + GEMM (own SGEMM kernels), cuDNN turned off by --no-vendor-libs",
                CudaCapabilities.convolutionPath(true, true, true));
        assertEquals("im2col + GEMM (own SGEMM kernels)", CudaCapabilities.convolutionPath(false, false, false));
        assertEquals("im2col + GEMM (cuBLAS)", CudaCapabilities.convolutionPath(false, true, false));
    }
}
