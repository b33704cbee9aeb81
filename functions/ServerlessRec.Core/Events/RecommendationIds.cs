using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ServerlessRec.Events;

/// <summary>
/// The id of one recommendation response: 16 bytes written as 22 characters of <c>- 0–9 A–Z _ a–z</c> (the base64url
/// characters, 6 bits each, valued in that ASCII order so that ids compare as their bytes do). The first 6 bytes are the
/// Unix milliseconds it was served (big-endian, so ids sort by time with an ordinal comparison), the other 10 are random.
/// It names nothing about the user, the request or the model: whoever holds one learns only when it was served.
/// </summary>
public static class RecommendationIds
{
    /// <summary>The length of an id in characters.</summary>
    public const int Length = 22;

    private const int TimeBytes = 6;
    private const int TotalBytes = 16;
    private const string Alphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    /// <summary>Creates a new id for a response served at <paramref name="servedAt"/>.</summary>
    public static string New(DateTimeOffset servedAt)
    {
        Span<byte> bytes = stackalloc byte[TotalBytes];
        Span<byte> millis = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(millis, Math.Max(0, servedAt.ToUnixTimeMilliseconds()));
        millis[(8 - TimeBytes)..].CopyTo(bytes);
        RandomNumberGenerator.Fill(bytes[TimeBytes..]);
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return string.Create(Length, value, static (chars, bits) =>
        {
            // 21 characters of 6 bits, then the last 2 bits in the top of the 22nd.
            for (var i = 0; i < Length - 1; i++)
            {
                chars[i] = Alphabet[(int)((bits >> (128 - (6 * (i + 1)))) & 63)];
            }

            chars[^1] = Alphabet[(int)(bits & 3) << 4];
        });
    }

    /// <summary>Returns whether <paramref name="value"/> has the form of an id (22 base64url characters).</summary>
    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.Length != Length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (DecodeChar(c) < 0)
            {
                return false;
            }
        }

        // 22 characters carry 132 bits: the last one may only use the 2 bits that belong to the 16th byte.
        return DecodeChar(value[^1]) % 16 == 0;
    }

    /// <summary>
    /// A number in [0, 1) drawn from the id's random bytes: a response is sampled when it is below the sample rate, so the
    /// decision is fixed by the id (a rate of 0 samples nothing, 1 everything) and needs no random source of its own.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not an id.</exception>
    public static double SampleFraction(string recommendationId)
    {
        ArgumentNullException.ThrowIfNull(recommendationId);
        if (!IsValid(recommendationId))
        {
            throw new ArgumentException("not a recommendation id", nameof(recommendationId));
        }

        // Characters 8..15 lie wholly in the random bytes (bits 48..95 start at character 8): 8 × 6 = 48 bits.
        ulong bits = 0;
        for (var i = 8; i < 16; i++)
        {
            bits = (bits << 6) | (uint)DecodeChar(recommendationId[i]);
        }

        return bits / (double)(1UL << 48);
    }

    private static int DecodeChar(char c) => c < 128 ? Alphabet.IndexOf(c, StringComparison.Ordinal) : -1;
}
