package dev.spikevae.data;

/** Bounds checks whose message names the dataset. */
final class IndexCheck {
    private IndexCheck() {
    }

    static void check(String dataset, int index, int size) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(dataset + ": image index " + index + " is outside 0.." + (size - 1));
        }
    }
}
