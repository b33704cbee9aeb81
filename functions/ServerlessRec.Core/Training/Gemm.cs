using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ServerlessRec.Training;

/// <summary>
/// Small dense matrix products for the trainer's batched passes, row-major: a 4×16 register-tiled
/// kernel on <see cref="Vector256{T}"/>. Each output row is computed by one thread in a fixed order,
/// so results do not depend on the number of threads.
/// </summary>
internal static class Gemm
{
    /// <summary>C[m×n] = A[m×k] · B[k×n] (or C += … when <paramref name="accumulate"/>).</summary>
    public static void Multiply(float[] a, int m, int k, float[] b, int n, float[] c, bool accumulate, ParallelOptions? parallel = null) =>
        Multiply(a, m, k, rowStride: k, columnStride: 1, b, n, c, accumulate, parallel);

    /// <summary>
    /// C[m×n] = Aᵀ · B[k×n] where <paramref name="a"/> holds A as [k×m] (or C += … when <paramref name="accumulate"/>):
    /// a product with a transposed left operand, without materialising the transpose.
    /// </summary>
    public static void MultiplyTransposedA(float[] a, int m, int k, float[] b, int n, float[] c, bool accumulate, ParallelOptions? parallel = null) =>
        Multiply(a, m, k, rowStride: 1, columnStride: m, b, n, c, accumulate, parallel);

    private static void Multiply(float[] a, int m, int k, int rowStride, int columnStride, float[] b, int n, float[] c, bool accumulate, ParallelOptions? parallel)
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n)
        {
            throw new ArgumentException("matrix buffers are smaller than their shapes");
        }

        var blocks = (m + 3) / 4;
        var threads = parallel is null ? 1 : Math.Max(1, parallel.MaxDegreeOfParallelism);
        if (threads == 1 || m < 16)
        {
            MultiplyRows(a, rowStride, columnStride, 0, m, k, b, n, c, accumulate);
            return;
        }

        var perThread = (blocks + threads - 1) / threads;
        Parallel.For(0, threads, parallel!, t =>
        {
            var start = t * perThread * 4;
            var end = Math.Min(m, (t + 1) * perThread * 4);
            if (start < end)
            {
                MultiplyRows(a, rowStride, columnStride, start, end, k, b, n, c, accumulate);
            }
        });
    }

    /// <summary>Writes the transpose of <paramref name="source"/> [rows×columns] into <paramref name="target"/> [columns×rows].</summary>
    public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> target)
    {
        for (var r = 0; r < rows; r++)
        {
            var row = source.Slice(r * columns, columns);
            for (var c = 0; c < columns; c++)
            {
                target[(c * rows) + r] = row[c];
            }
        }
    }

    private static void MultiplyRows(float[] a, int rowStride, int columnStride, int rowStart, int rowEnd, int k, float[] b, int n, float[] c, bool accumulate)
    {
        ref var aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref var bRef = ref MemoryMarshal.GetArrayDataReference(b);
        ref var cRef = ref MemoryMarshal.GetArrayDataReference(c);
        var vectorColumns = Vector256.IsHardwareAccelerated ? n - (n % 16) : 0;
        var i = rowStart;
        for (; i + 4 <= rowEnd; i += 4)
        {
            for (var j = 0; j < vectorColumns; j += 16)
            {
                Tile4x16(ref aRef, rowStride, columnStride, i, k, ref bRef, n, j, ref cRef, accumulate);
            }

            for (var r = i; r < i + 4; r++)
            {
                ScalarColumns(ref aRef, rowStride, columnStride, r, k, ref bRef, n, vectorColumns, ref cRef, accumulate);
            }
        }

        for (; i < rowEnd; i++)
        {
            for (var j = 0; j < vectorColumns; j += 16)
            {
                Tile1x16(ref aRef, rowStride, columnStride, i, k, ref bRef, n, j, ref cRef, accumulate);
            }

            ScalarColumns(ref aRef, rowStride, columnStride, i, k, ref bRef, n, vectorColumns, ref cRef, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x16(ref float a, nint rowStride, nint columnStride, int i, int k, ref float b, int n, int j, ref float c, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        nint a0 = i * rowStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
        for (var p = 0; p < k; p++)
        {
            var ap = p * columnStride;
            ref var bRow = ref Unsafe.Add(ref b, (p * n) + j);
            var b0 = Vector256.LoadUnsafe(ref bRow);
            var b1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref bRow, 8));
            var x0 = Vector256.Create(Unsafe.Add(ref a, a0 + ap));
            var x1 = Vector256.Create(Unsafe.Add(ref a, a1 + ap));
            var x2 = Vector256.Create(Unsafe.Add(ref a, a2 + ap));
            var x3 = Vector256.Create(Unsafe.Add(ref a, a3 + ap));
            c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
            c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
            c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
            c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
        }

        Store(ref c, (i * n) + j, c00, c01, accumulate);
        Store(ref c, ((i + 1) * n) + j, c10, c11, accumulate);
        Store(ref c, ((i + 2) * n) + j, c20, c21, accumulate);
        Store(ref c, ((i + 3) * n) + j, c30, c31, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x16(ref float a, nint rowStride, nint columnStride, int i, int k, ref float b, int n, int j, ref float c, bool accumulate)
    {
        Vector256<float> c0 = default, c1 = default;
        nint a0 = i * rowStride;
        for (var p = 0; p < k; p++)
        {
            ref var bRow = ref Unsafe.Add(ref b, (p * n) + j);
            var x = Vector256.Create(Unsafe.Add(ref a, a0 + (p * columnStride)));
            c0 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref bRow), c0);
            c1 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref Unsafe.Add(ref bRow, 8)), c1);
        }

        Store(ref c, (i * n) + j, c0, c1, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, int offset, Vector256<float> low, Vector256<float> high, bool accumulate)
    {
        ref var target = ref Unsafe.Add(ref c, offset);
        if (accumulate)
        {
            low += Vector256.LoadUnsafe(ref target);
            high += Vector256.LoadUnsafe(ref Unsafe.Add(ref target, 8));
        }

        low.StoreUnsafe(ref target);
        high.StoreUnsafe(ref Unsafe.Add(ref target, 8));
    }

    private static void ScalarColumns(ref float a, nint rowStride, nint columnStride, int i, int k, ref float b, int n, int fromColumn, ref float c, bool accumulate)
    {
        for (var j = fromColumn; j < n; j++)
        {
            var sum = 0f;
            for (var p = 0; p < k; p++)
            {
                sum += Unsafe.Add(ref a, (i * rowStride) + (p * columnStride)) * Unsafe.Add(ref b, (p * n) + j);
            }

            ref var target = ref Unsafe.Add(ref c, (i * n) + j);
            target = accumulate ? target + sum : sum;
        }
    }
}
