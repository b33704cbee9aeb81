using ServerlessRec.Cli.Commands.Bench;

namespace ServerlessRec.Cli.Tests.Commands.Bench;

public sealed class VectorFileTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-vectors-{Guid.NewGuid():N}");

    public VectorFileTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("v.fvecs")]
    [InlineData("v.fbin")]
    public void Read_WrittenFile_ReturnsTheSameVectors(string name)
    {
        var path = Path.Combine(_root, name);
        float[] vectors = [1f, -2f, 3.5f, 0f, 0.25f, -1e-3f, 7f, 8f, 9f];
        VectorFile.Write(path, 3, vectors);

        var read = VectorFile.Read(path);

        Assert.Equal(3, read.Count);
        Assert.Equal(3, read.Dimensions);
        Assert.Equal(vectors, read.Vectors);
    }

    [Theory]
    [InlineData("v.fvecs")]
    [InlineData("v.fbin")]
    public void Read_MaxVectors_ReturnsTheFirstOnes(string name)
    {
        var path = Path.Combine(_root, name);
        VectorFile.Write(path, 2, [1f, 2f, 3f, 4f, 5f, 6f]);

        var read = VectorFile.Read(path, maxVectors: 2);

        Assert.Equal(2, read.Count);
        Assert.Equal([1f, 2f, 3f, 4f], read.Vectors);
    }

    [Fact]
    public void Read_FvecsLayout_IsDimensionThenFloatsPerVector()
    {
        var path = Path.Combine(_root, "v.fvecs");
        VectorFile.Write(path, 2, [1f, 2f, 3f, 4f]);

        var bytes = File.ReadAllBytes(path);

        Assert.Equal(2 * (4 + 8), bytes.Length);
        Assert.Equal(2, BitConverter.ToInt32(bytes, 0));
        Assert.Equal(3f, BitConverter.ToSingle(bytes, 12 + 4));
    }

    [Theory]
    [InlineData("v.fvecs", "not a whole number")]
    [InlineData("v.fbin", "truncated")]
    public void Read_TruncatedFile_ThrowsAClearError(string name, string expected)
    {
        var path = Path.Combine(_root, name);
        VectorFile.Write(path, 4, new float[12]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^6]);

        var error = Assert.Throws<InvalidDataException>(() => VectorFile.Read(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FvecsWithChangingDimension_NamesTheVector()
    {
        var path = Path.Combine(_root, "v.fvecs");
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write(2);
            writer.Write(1f);
            writer.Write(2f);
            writer.Write(1);
            writer.Write(3f);
            writer.Write(4f);
        }

        var error = Assert.Throws<InvalidDataException>(() => VectorFile.Read(path));

        Assert.Contains("vector 1 has dimension 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyFile_SaysWhatIsMissing()
    {
        var path = Path.Combine(_root, "v.fbin");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<InvalidDataException>(() => VectorFile.Read(path));

        Assert.Contains("truncated at byte 0 while reading the header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatOf_OtherExtension_IsAUsageError() =>
        Assert.Throws<CliUsageException>(() => VectorFile.FormatOf("vectors.npy"));
}
