package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cuDNN 9 status codes in words, and the exception a failed call throws. */
class CudnnStatusTest {

    @Test
    void cudnn9CodesHaveTheirNames() {
        assertEquals("CUDNN_STATUS_BAD_PARAM (2000)", CudnnStatus.describe(2000));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED (3000)", CudnnStatus.describe(3000));
        assertEquals("CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH (2008)", CudnnStatus.describe(2008));
        assertEquals("CUDNN_STATUS_EXECUTION_FAILED (5000)", CudnnStatus.describe(5000));
        assertEquals("CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED (1008)", CudnnStatus.describe(1008));
    }

    @Test
    void unlistedCodesAreNamedByTheirFamilyAndCudnn8NumbersAreNotMisread() {
        assertTrue(CudnnStatus.describe(2099).contains("2099") && CudnnStatus.describe(2099).contains("BAD_PARAM"),
                CudnnStatus.describe(2099));
        assertTrue(CudnnStatus.describe(4077).contains("INTERNAL_ERROR"), CudnnStatus.describe(4077));
        // 3 was cuDNN 8's BAD_PARAM; under cuDNN 9 it means nothing
        assertFalse(CudnnStatus.describe(3).contains("BAD_PARAM"), CudnnStatus.describe(3));
        assertTrue(CudnnStatus.describe(3).contains("unknown"), CudnnStatus.describe(3));
        assertTrue(CudnnStatus.describe(9000).contains("unknown"), CudnnStatus.describe(9000));
    }

    @Test
    void aFailedCallThrowsNamingCudnnTheCallAndTheStatus() {
        assertDoesNotThrow(() -> CudnnStatus.check(0, "cudnnCreate"));
        CudaException e = assertThrows(CudaException.class,
                () -> CudnnStatus.check(3002, "cudnnConvolutionForward (algorithm 1)"));
        assertEquals("cuDNN cudnnConvolutionForward (algorithm 1) failed: CUDNN_STATUS_NOT_SUPPORTED_SHAPE (3002)",
                e.getMessage());
        assertEquals(3002, e.code());
    }
}
