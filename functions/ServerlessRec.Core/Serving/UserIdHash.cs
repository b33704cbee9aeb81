using System.Security.Cryptography;
using System.Text;

namespace ServerlessRec.Serving;

/// <summary>
/// The one way ServerlessRec hashes a user id (SHA-256 of its UTF-8 bytes, lower-case hex): tombstones keep the full
/// hash, history blobs are spread by its first byte, and logs and error messages show only <see cref="ForLogs"/>.
/// </summary>
public static class UserIdHash
{
    /// <summary>The number of hex characters of the hash shown in logs: 48 bits, enough to tell users apart in an incident.</summary>
    public const int LogLength = 12;

    /// <summary>Returns the lower-case hex SHA-256 of a user id.</summary>
    public static string Sha256(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));
    }

    /// <summary>Returns the short hash that stands for a user id in logs and error messages above Debug (never the id itself).</summary>
    public static string ForLogs(string userId) => Sha256(userId)[..LogLength];
}
