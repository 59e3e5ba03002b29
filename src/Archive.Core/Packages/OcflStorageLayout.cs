using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Archive.Packages;

/// <summary>
/// OCFL community extension <c>0003-hash-and-id-n-tuple-storage-layout</c> with sha256, tuple size 3 and three
/// tuples: object id "object-01" lives at <c>3c0/ff4/240/object-01/</c>. The id is percent-encoded (every character
/// except A-Z a-z 0-9 '-' '_' becomes lower-case %xx of its UTF-8 bytes); an encoding longer than 100 characters is
/// cut to 100 and followed by '-' and the full digest.
/// </summary>
internal static class OcflStorageLayout
{
    /// <summary>The extension's registered name.</summary>
    public const string ExtensionName = "0003-hash-and-id-n-tuple-storage-layout";

    /// <summary>Characters per tuple.</summary>
    public const int TupleSize = 3;

    /// <summary>Number of tuple folders.</summary>
    public const int NumberOfTuples = 3;

    private const int MaxEncodedLength = 100;

    /// <summary>The object root of <paramref name="objectId"/>, relative to the storage root (no leading or trailing '/').</summary>
    public static string ObjectRootPath(string objectId)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(objectId)));
        var builder = new StringBuilder(TupleSize * NumberOfTuples + NumberOfTuples + 170);
        for (var i = 0; i < NumberOfTuples; i++)
        {
            builder.Append(digest, i * TupleSize, TupleSize).Append('/');
        }

        var encoded = Encode(objectId);
        builder.Append(encoded.Length > MaxEncodedLength ? string.Concat(encoded.AsSpan(0, MaxEncodedLength), "-", digest) : encoded);
        return builder.ToString();
    }

    /// <summary>Percent-encodes an id as the extension prescribes.</summary>
    public static string Encode(string objectId)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        var builder = new StringBuilder(objectId.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in objectId.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '-' or '_'))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var n = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < n; i++)
            {
                builder.Append('%').Append(utf8[i].ToString("x2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Decodes an encapsulation folder name back to the id; null when it was truncated (the id must then be read
    /// from the inventory) or is not a valid encoding.
    /// </summary>
    public static string? TryDecode(string folderName)
    {
        ArgumentNullException.ThrowIfNull(folderName);
        if (folderName.Length > MaxEncodedLength)
        {
            return null;
        }

        var bytes = new List<byte>(folderName.Length);
        for (var i = 0; i < folderName.Length; i++)
        {
            var c = folderName[i];
            if (c == '%')
            {
                if (i + 2 >= folderName.Length || !byte.TryParse(folderName.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    return null;
                }

                bytes.Add(b);
                i += 2;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                bytes.Add((byte)c);
            }
            else
            {
                return null;
            }
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Whether a folder name is one tuple of this layout (three lower-case hex digits).</summary>
    public static bool IsTuple(string name)
        => name.Length == TupleSize && name.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
