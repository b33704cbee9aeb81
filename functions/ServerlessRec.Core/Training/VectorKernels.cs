using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ServerlessRec.Training;

/// <summary>
/// Level-1 vector kernels for embedding rows (tens of floats): inlined <see cref="Vector256{T}"/> loops,
/// because at this length the dispatch of a general-purpose span routine costs as much as the arithmetic.
/// </summary>
internal static class VectorKernels
{
    /// <summary>y += a·x, element-wise (<paramref name="x"/> and <paramref name="y"/> of equal length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ReadOnlySpan<float> x, float a, Span<float> y)
    {
        var n = y.Length;
        if (x.Length != n)
        {
            throw new ArgumentException("vectors must have the same length");
        }

        ref var xRef = ref MemoryMarshal.GetReference(x);
        ref var yRef = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(a);
            for (; i + 8 <= n; i += 8)
            {
                ref var target = ref Unsafe.Add(ref yRef, i);
                Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref Unsafe.Add(ref xRef, i)), scale, Vector256.LoadUnsafe(ref target)).StoreUnsafe(ref target);
            }
        }

        for (; i < n; i++)
        {
            ref var target = ref Unsafe.Add(ref yRef, i);
            target = MathF.FusedMultiplyAdd(Unsafe.Add(ref xRef, i), a, target);
        }
    }

    /// <summary>
    /// Asks for the cache lines of <paramref name="row"/> ahead of use: pooling and scatters walk rows
    /// scattered over tables larger than the cache, and a hint a few rows ahead hides most of the latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ReadOnlySpan<float> row)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        ref var start = ref MemoryMarshal.GetReference(row);
        for (var i = 0; i < row.Length; i += 16)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref start, i)));
        }
    }
}
