using System.Globalization;
using System.Text;

namespace Archive.Storage;

/// <summary>
/// Rules for object keys, shared by every store so that a key valid on one store is valid on all:
/// '/'-separated segments of NFC-normalised Unicode; no empty, '.' or '..' segments; no leading or trailing '/';
/// no backslash, no control characters; at most 1024 UTF-8 bytes in all and 255 per segment.
/// </summary>
public static class ObjectKey
{
    /// <summary>Longest key in UTF-8 bytes (the S3 limit).</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Longest segment in UTF-8 bytes (the common file-name limit).</summary>
    public const int MaxSegmentBytes = 255;

    /// <summary>
    /// Validates <paramref name="key"/> and returns its NFC form, so that a Vietnamese name written in decomposed
    /// form ("Hồ sơ" as base letters plus combining marks) names the same object as the precomposed one.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="field">The input field name used in the error (e.g. <c>key</c>, <c>path</c>).</param>
    /// <exception cref="ArchiveValidationException">The key breaks a rule; the error names the rule.</exception>
    public static string Normalize(string? key, string field = "key")
    {
        if (string.IsNullOrEmpty(key))
        {
            throw Fail(field, "key.empty", "The key must not be empty.");
        }

        for (var i = 0; i < key.Length; i++)
        {
            if (char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(key[i]))
            {
                throw Fail(field, "key.invalid-unicode", "The key contains invalid Unicode (a lone surrogate).");
            }
        }

        string normalized;
        try
        {
            normalized = key.IsNormalized(NormalizationForm.FormC) ? key : key.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            throw Fail(field, "key.invalid-unicode", "The key contains invalid Unicode (a lone surrogate).");
        }

        foreach (var rune in normalized.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.Control || category == UnicodeCategory.Format && rune.Value is 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069))
            {
                throw Fail(field, "key.control-character", $"The key contains the control character U+{rune.Value:X4}.");
            }
        }

        if (normalized.Contains('\\', StringComparison.Ordinal))
        {
            throw Fail(field, "key.backslash", "The key must not contain '\\'; use '/' between segments.");
        }

        if (normalized[0] == '/')
        {
            throw Fail(field, "key.absolute", "The key must be relative: it must not start with '/'.");
        }

        if (normalized.Length >= 2 && normalized[1] == ':' && char.IsAsciiLetter(normalized[0]))
        {
            throw Fail(field, "key.absolute", "The key must be relative: it must not start with a drive letter.");
        }

        if (normalized[^1] == '/')
        {
            throw Fail(field, "key.trailing-slash", "The key must not end with '/'.");
        }

        if (Encoding.UTF8.GetByteCount(normalized) > MaxKeyBytes)
        {
            throw Fail(field, "key.too-long", $"The key must be at most {MaxKeyBytes} UTF-8 bytes.");
        }

        foreach (var segment in normalized.Split('/'))
        {
            if (segment.Length == 0)
            {
                throw Fail(field, "key.empty-segment", "The key must not contain empty segments ('//').");
            }

            if (segment is "." or "..")
            {
                throw Fail(field, "key.dot-segment", "The key must not contain '.' or '..' segments.");
            }

            if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
            {
                throw Fail(field, "key.segment-too-long", $"Each key segment must be at most {MaxSegmentBytes} UTF-8 bytes.");
            }
        }

        return normalized;
    }

    /// <summary>
    /// Validates a listing prefix: empty is allowed (everything); otherwise the same character rules as a key,
    /// except that it may end with '/'.
    /// </summary>
    public static string NormalizePrefix(string? prefix, string field = "prefix")
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return string.Empty;
        }

        var trailingSlash = prefix.EndsWith('/');
        var body = trailingSlash ? prefix[..^1] : prefix;
        if (body.Length == 0)
        {
            throw Fail(field, "key.absolute", "The prefix must be relative: it must not be '/'.");
        }

        var normalized = Normalize(body, field);
        return trailingSlash ? normalized + "/" : normalized;
    }

    /// <summary>Joins segments with '/' and validates the result.</summary>
    public static string Combine(params string[] segments) => Normalize(string.Join('/', segments));

    private static ArchiveValidationException Fail(string field, string rule, string message) => new(field, rule, message);
}
