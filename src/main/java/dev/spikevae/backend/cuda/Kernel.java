package dev.spikevae.backend.cuda;

/**
 * A kernel entry point on a device: its PTX signature and the device's handle for it (a CUfunction on a
 * real GPU). Call sites keep their own {@link KernelArgs}, created once and refilled per launch.
 */
public final class Kernel {
    private final PtxEntry entry;
    private final Object handle;

    public Kernel(PtxEntry entry, Object handle) {
        this.entry = entry;
        this.handle = handle;
    }

    public PtxEntry entry() {
        return entry;
    }

    public String name() {
        return entry.name();
    }

    /** The device's own handle (opaque to everything but the device). */
    public Object handle() {
        return handle;
    }

    /** A parameter buffer for one call site of this kernel. */
    public KernelArgs newArgs() {
        return new KernelArgs(entry);
    }
}
