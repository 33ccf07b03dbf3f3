package dev.spikevae.backend.cpu;

import jdk.incubator.vector.FloatVector;

/** Isolates the one Vector API reference VectorSupport needs, so that class loads without the module. */
final class VectorLanes {
    private VectorLanes() {
    }

    static int floats() {
        return FloatVector.SPECIES_PREFERRED.length();
    }
}
