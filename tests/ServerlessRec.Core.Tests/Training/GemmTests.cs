using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class GemmTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(4, 8, 16, 1)]
    [InlineData(7, 13, 35, 1)]
    [InlineData(37, 64, 50, 2)]
    [InlineData(64, 20, 128, 3)]
    public void Multiply_AnyShape_MatchesNaiveProduct(int m, int k, int n, int threads)
    {
        var random = new Random(m * 1000 + n);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => 1f).ToArray();

        Gemm.Multiply(a, m, k, b, n, c, accumulate: true, new ParallelOptions { MaxDegreeOfParallelism = threads });

        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var expected = 1.0;
                for (var p = 0; p < k; p++)
                {
                    expected += a[(i * k) + p] * b[(p * n) + j];
                }

                Assert.True(Math.Abs(expected - c[(i * n) + j]) < 1e-4, $"c[{i},{j}] = {c[(i * n) + j]}, expected {expected}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(7, 13, 35, 1)]
    [InlineData(37, 64, 50, 2)]
    [InlineData(64, 20, 128, 3)]
    public void MultiplyTransposedA_AnyShape_MatchesNaiveProduct(int m, int k, int n, int threads)
    {
        var random = new Random(m * 1000 + n);
        var aT = Enumerable.Range(0, k * m).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => 1f).ToArray();

        Gemm.MultiplyTransposedA(aT, m, k, b, n, c, accumulate: true, new ParallelOptions { MaxDegreeOfParallelism = threads });

        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var expected = 1.0;
                for (var p = 0; p < k; p++)
                {
                    expected += aT[(p * m) + i] * b[(p * n) + j];
                }

                Assert.True(Math.Abs(expected - c[(i * n) + j]) < 1e-4, $"c[{i},{j}] = {c[(i * n) + j]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Transpose_SwapsRowsAndColumns()
    {
        float[] source = [1, 2, 3, 4, 5, 6];
        var target = new float[6];

        Gemm.Transpose(source, 2, 3, target);

        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], target);
    }
}
