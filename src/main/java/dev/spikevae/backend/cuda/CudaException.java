package dev.spikevae.backend.cuda;

/** A CUDA call failed: the message names the call (or kernel) and the driver's error. */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The driver's CUresult code (0 when the failure did not come from the driver). */
    public int code() {
        return code;
    }
}
