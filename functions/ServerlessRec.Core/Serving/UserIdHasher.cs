using System.Security.Cryptography;
using System.Text;

namespace ServerlessRec.Serving;

/// <summary>
/// The one way ServerlessRec names a user without their id: HMAC-SHA256 of the id's UTF-8 bytes under the deployment's
/// secret key (<see cref="UserIdHasherProvider"/>), lower-case hex. Tombstones and history blob names keep the full hash;
/// logs and error messages show only <see cref="ForLogs"/>. Unlike a plain SHA-256, the hash of a guessable id (an email,
/// <c>u42</c>) cannot be recomputed by someone who sees a blob listing or a log line but not the key.
/// </summary>
public sealed class UserIdHasher
{
    /// <summary>The key length in bytes (the HMAC-SHA256 block-size-independent recommendation: the hash's own length).</summary>
    public const int KeyLength = 32;

    /// <summary>The number of hex characters of the hash shown in logs: 48 bits, enough to tell users apart in an incident.</summary>
    public const int LogLength = 12;

    private readonly byte[] _key;

    /// <summary>Creates a hasher over a key of <see cref="KeyLength"/> bytes.</summary>
    /// <exception cref="ArgumentException">The key does not have <see cref="KeyLength"/> bytes.</exception>
    public UserIdHasher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"the user id key must have {KeyLength} bytes, not {key.Length}", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>Returns the lower-case hex HMAC-SHA256 of a user id (64 characters).</summary>
    public string Hash(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(userId)));
    }

    /// <summary>
    /// Returns the user's bucket in [0, 1): the first 53 bits of the keyed HMAC of <c>"arm:" + userId</c>. The same user gets
    /// the same bucket on every request and every instance (the key is the deployment's), and nobody without the key can
    /// choose an id for an arm. The prefix keeps the bucket unrelated to the hash in history blob names.
    /// </summary>
    public double Bucket(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("arm:" + userId));
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(mac) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Returns the short hash that stands for a user id in logs and error messages above Debug (never the id itself).</summary>
    public string ForLogs(string userId) => Hash(userId)[..LogLength];

    /// <summary>
    /// Returns the unkeyed lower-case hex SHA-256 of a user id: how tombstones and history folders were named before the
    /// keyed hash. Only read, to honour data written by earlier versions; nothing new is named by it.
    /// </summary>
    public static string LegacySha256(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));
    }
}
