package dev.spikevae.backend.cuda;

/** cuMemAlloc found no room, even after the allocator handed its cached blocks back. */
public final class DeviceOutOfMemoryException extends CudaException {
    private static final long serialVersionUID = 1L;

    public DeviceOutOfMemoryException(String message, int code) {
        super(message, code);
    }
}
