package io.longseq.math.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One array of a numpy {@code .npy} file: its dtype string as written in the header, its shape, and,
 * for float32, its values in C (row-major) order.
 *
 * <p>Only float32 payloads are decoded, because every weight of the model is float32. An array of any
 * other dtype ({@code '<f8'}, {@code '<i4'}, ...) is still returned by {@link Npz#read} with its dtype
 * and shape and {@code data == null}, so that a loader can report "array X has dtype '<f8', expected
 * float32" by name instead of failing on the first foreign array it happens to meet in the zip.
 *
 * <p>Arrays are compared by content: {@link #equals} compares dtype, shape and the float bits
 * ({@link Arrays#equals(float[], float[])}, which compares {@code floatToIntBits}).
 *
 * @param dtype the numpy type string, e.g. {@code "<f4"} (little-endian float32) or {@code "<f8"}
 * @param shape the dimensions, {@code []} for a scalar (numpy shape {@code ()}); each ≥ 0
 * @param data  the values, row-major, length = product of shape; {@code null} when the dtype is not float32
 */
public record NpyArray(String dtype, int[] shape, float[] data) {

    /** numpy's type string for little-endian float32, the only one {@link Npz#write} writes. */
    public static final String FLOAT32 = "<f4";

    /**
     * Checks that shape and data agree.
     *
     * @throws IllegalArgumentException if the dtype or shape is missing, a dimension is negative, or a
     *                                  float32 array's data length is not the product of its shape
     */
    public NpyArray {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("npy array: negative dimension in shape " + Weights.shapeString(shape));
            }
        }
        if (isFloat32(dtype) && data == null) {
            throw new IllegalArgumentException("npy array: dtype " + dtype + " needs data");
        }
        if (data != null) {
            if (!isFloat32(dtype)) {
                throw new IllegalArgumentException("npy array: data given for dtype '" + dtype + "', only float32 holds data");
            }
            long n = Weights.size(shape);
            if (data.length != n) {
                throw new IllegalArgumentException("npy array: shape " + Weights.shapeString(shape) + " holds " + n
                        + " values but data has " + data.length);
            }
        }
    }

    /** A float32 array of the given shape; {@code data} is used as is (not copied). */
    public static NpyArray float32(int[] shape, float[] data) {
        return new NpyArray(FLOAT32, shape, data);
    }

    /** A 1-D float32 array of shape {@code [data.length]}. */
    public static NpyArray vector(float[] data) {
        return new NpyArray(FLOAT32, new int[] {data.length}, data);
    }

    /** True when the values are float32 (either byte order; the data then holds the decoded values). */
    public boolean isFloat32() {
        return isFloat32(dtype);
    }

    /** True for numpy's float32 type strings in a file: {@code <f4} (little-endian) and {@code >f4} (big-endian). */
    public static boolean isFloat32(String dtype) {
        return dtype.equals("<f4") || dtype.equals(">f4");
    }

    /** Number of elements, the product of the shape (1 for a scalar). */
    public long size() {
        return Weights.size(shape);
    }

    /** The shape as {@code [a, b]}. */
    public String shapeString() {
        return Weights.shapeString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray other && dtype.equals(other.dtype) && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[dtype=" + dtype + ", shape=" + shapeString() + (data == null ? ", no data" : "") + "]";
    }
}
