using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Archive.Records;

/// <summary>
/// Media types of uploaded content: normalising a declared type, sniffing the type from the content, and the ingest
/// rule between the two. The content decides: a generic or missing declaration gets the sniffed type; a declared type
/// the content contradicts (HTML declared as PDF, a binary declared as text, a DOCX declared as XLSX) is refused with
/// <see cref="MismatchRule"/>, so a record is never stored under a type it is not.
/// </summary>
internal static partial class MediaTypes
{
    /// <summary>Rule id of a declared media type the content contradicts.</summary>
    public const string MismatchRule = "content.media-type-mismatch";

    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string Pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    public const string Odt = "application/vnd.oasis.opendocument.text";
    public const string Ods = "application/vnd.oasis.opendocument.spreadsheet";
    public const string Odp = "application/vnd.oasis.opendocument.presentation";
    public const string Zip = "application/zip";
    public const string Html = "text/html";
    public const string PlainText = "text/plain";
    public const string Xml = "application/xml";
    public const string Rtf = "application/rtf";
    public const string OctetStream = "application/octet-stream";

    /// <summary>Bytes of the head that are sniffed (signatures, HTML tags, text validity).</summary>
    internal const int HeadBytes = 64 * 1024;

    /// <summary>Most ZIP entries inspected to tell an Office file from a plain ZIP (more: a plain ZIP).</summary>
    internal const int MaxZipEntriesInspected = 10_000;

    /// <summary>The media type without parameters, lower case, or null when it is not a valid type/subtype.</summary>
    public static string? Normalize(string mediaType)
    {
        var t = mediaType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return MediaTypePattern().IsMatch(t) ? t : null;
    }

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = PdfTextExtractor.PdfMediaType,
        [".xml"] = Xml,
        [".json"] = "application/json",
        [".txt"] = PlainText,
        [".csv"] = "text/csv",
        [".htm"] = Html,
        [".html"] = Html,
        [".rtf"] = Rtf,
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".gif"] = "image/gif",
        [".tif"] = "image/tiff",
        [".tiff"] = "image/tiff",
        [".doc"] = "application/msword",
        [".docx"] = Docx,
        [".xls"] = "application/vnd.ms-excel",
        [".xlsx"] = Xlsx,
        [".ppt"] = "application/vnd.ms-powerpoint",
        [".pptx"] = Pptx,
        [".odt"] = Odt,
        [".ods"] = Ods,
        [".odp"] = Odp,
        [".zip"] = Zip,
        [".mp3"] = "audio/mpeg",
        [".mp4"] = "video/mp4",
        [".eml"] = "message/rfc822",
    };

    /// <summary>What the content is, as far as its bytes say.</summary>
    internal enum Kind
    {
        /// <summary>No known signature, not text.</summary>
        Unknown,

        /// <summary>A signature names the type (PDF, image, Office/ODF/ZIP, OLE, RTF).</summary>
        Signature,

        /// <summary>HTML markup at the start.</summary>
        Html,

        /// <summary>An XML prolog.</summary>
        Xml,

        /// <summary>Text: UTF-8 (or a UTF-16/32 BOM), or a legacy single-byte code page without binary control bytes.</summary>
        Text,

        /// <summary>A ZIP signature whose entries could not be inspected (damaged, or too many): any ZIP-based type may be declared.</summary>
        Archive,
    }

    /// <summary>The sniffed kind and, for <see cref="Kind.Signature"/>, <see cref="Kind.Html"/>, <see cref="Kind.Xml"/> and <see cref="Kind.Text"/>, its type.</summary>
    internal readonly record struct Sniffed(Kind Kind, string? MediaType);

    private static readonly Dictionary<string, string> LegacyFamily = new(StringComparer.Ordinal)
    {
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = "application/msword",
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = "application/vnd.ms-excel",
        ["application/vnd.openxmlformats-officedocument.presentationml.presentation"] = "application/vnd.ms-powerpoint",
    };

    /// <summary>The outcome of <see cref="ResolveAsync(string, string, string?, CancellationToken)"/>: the type to store, or why the declared one was refused.</summary>
    internal readonly record struct Resolution(string MediaType, string? Mismatch);

    /// <summary>
    /// The media type to store for a spooled file: the sniffed type when <paramref name="declared"/> (normalised) is
    /// null or generic, the declared one when the content agrees with it, else a mismatch (the message says what the
    /// content is).
    /// </summary>
    public static async ValueTask<Resolution> ResolveAsync(string path, string name, string? declared, CancellationToken cancellationToken)
    {
        var sniffed = await SniffAsync(path, cancellationToken).ConfigureAwait(false);
        return Resolve(sniffed, name, declared);
    }

    /// <summary>As <see cref="ResolveAsync(string, string, string?, CancellationToken)"/>, for content opened as a seekable stream (read from its start; the caller disposes it).</summary>
    public static async ValueTask<Resolution> ResolveAsync(Stream content, string name, string? declared, CancellationToken cancellationToken)
    {
        var sniffed = await SniffAsync(content, cancellationToken).ConfigureAwait(false);
        return Resolve(sniffed, name, declared);
    }

    internal static Resolution Resolve(Sniffed sniffed, string name, string? declared)
    {
        var byName = ByExtension.TryGetValue(Path.GetExtension(name), out var e) ? e : null;
        if (declared is null || IsGeneric(declared) || (IsZipGeneric(declared) && sniffed.MediaType is { } z && IsZipBased(z)))
        {
            return new(sniffed.Kind switch
            {
                Kind.Signature or Kind.Html => sniffed.MediaType!,

                // A damaged ZIP: the name's ZIP-based type (a damaged DOCX is stored as DOCX, its text extraction fails).
                Kind.Archive => byName is not null && IsZipBased(byName) ? byName : Zip,

                // Text and XML: a more precise text type from the name (text/csv, application/json) when there is one.
                Kind.Text or Kind.Xml => byName is not null && IsTextual(byName) && byName != Html ? byName : sniffed.MediaType!,

                // Unknown bytes: the name's type unless the name claims a type whose signature is missing.
                _ => byName is not null && !IsVerifiable(byName) ? byName : OctetStream,
            }, null);
        }

        // e-office systems often label Office Open XML files with the legacy Office type of the same family
        // (application/msword for a .docx): the content's own type is stored, as for a generic declaration.
        if (sniffed.MediaType is { } family && LegacyFamily.TryGetValue(family, out var legacy) && declared == legacy)
        {
            return new(family, null);
        }

        return Compatible(sniffed, declared)
            ? new(declared, null)
            : new(declared, $"The content is {Describe(sniffed)}, not {declared}: declare the type the content has, or application/octet-stream (or no type) to have it detected; nothing was stored.");
    }

    /// <summary>Whether content sniffed as <paramref name="sniffed"/> may be stored as <paramref name="declared"/>.</summary>
    internal static bool Compatible(Sniffed sniffed, string declared)
    {
        switch (sniffed.Kind)
        {
            case Kind.Signature:
                var s = sniffed.MediaType!;
                if (s == declared)
                {
                    return true;
                }

                return s switch
                {
                    PdfTextExtractor.PdfMediaType => declared is "application/x-pdf",
                    "image/jpeg" => declared is "image/jpg" or "image/pjpeg",
                    "application/x-ole-storage" => declared is "application/msword" or "application/vnd.visio" || declared.StartsWith("application/vnd.ms-", StringComparison.Ordinal),

                    // A ZIP without Office or ODF markers may be any ZIP-based format the sniffer does not know.
                    Zip => IsZipGeneric(declared) || declared.EndsWith("+zip", StringComparison.Ordinal) || declared is "application/java-archive"
                        || (declared.StartsWith("application/vnd.", StringComparison.Ordinal) && !IsVerifiable(declared)),
                    Rtf => declared is "text/rtf",
                    _ => false,
                };
            case Kind.Archive:
                return IsZipBased(declared) || IsZipGeneric(declared) || declared is "application/java-archive" || (declared.StartsWith("application/vnd.", StringComparison.Ordinal) && !IsVerifiable(declared));
            case Kind.Html:
                return declared is Html or "application/xhtml+xml";
            case Kind.Xml:
                return IsTextual(declared);
            case Kind.Text:
                return IsTextual(declared);
            default:
                return !IsVerifiable(declared);
        }
    }

    /// <summary>The type of a spooled file from its bytes alone.</summary>
    internal static async ValueTask<Sniffed> SniffAsync(string path, CancellationToken cancellationToken)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous | FileOptions.RandomAccess);
        await using (fs.ConfigureAwait(false))
        {
            return await SniffAsync(fs, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sniffs seekable content from its start (the stream is left open, its position anywhere).</summary>
    internal static async ValueTask<Sniffed> SniffAsync(Stream fs, CancellationToken cancellationToken)
    {
        fs.Position = 0;
        var head = new byte[(int)Math.Min(HeadBytes, fs.Length)];
        var read = await fs.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var sniffed = Sniff(head.AsSpan(0, read));
        if (sniffed.MediaType == Zip)
        {
            fs.Position = 0;
            sniffed = InspectZip(fs, head.AsSpan(0, read)) is { } type ? new(Kind.Signature, type) : new(Kind.Archive, Zip);
        }

        return sniffed;
    }

    /// <summary>The type from the first bytes of a content.</summary>
    internal static Sniffed Sniff(ReadOnlySpan<byte> head)
    {
        // PDF readers accept the header anywhere in the first 1024 bytes.
        if (head[..Math.Min(head.Length, 1024)].IndexOf("%PDF-"u8) >= 0)
        {
            return new(Kind.Signature, PdfTextExtractor.PdfMediaType);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return new(Kind.Signature, "image/png");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return new(Kind.Signature, "image/jpeg");
        }

        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return new(Kind.Signature, "image/tiff");
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return new(Kind.Signature, "image/gif");
        }

        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8))
        {
            return new(Kind.Signature, Zip);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return new(Kind.Signature, "application/x-ole-storage");
        }

        if (head.StartsWith("{\\rtf"u8))
        {
            return new(Kind.Signature, Rtf);
        }

        // UTF-16/32 byte order marks: text (HTML in UTF-16 is rare enough to be stored as declared text).
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return new(Kind.Text, PlainText);
        }

        var body = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? head[3..] : head;
        var text = LooksLikeText(body);
        if (text && StartsWithHtml(body))
        {
            return new(Kind.Html, Html);
        }

        if (text && body.TrimStart(" \t\r\n"u8).StartsWith("<?xml"u8))
        {
            return new(Kind.Xml, Xml);
        }

        return text ? new(Kind.Text, PlainText) : new(Kind.Unknown, null);
    }

    /// <summary>
    /// Text: no NUL and no control bytes other than tab, line feed, form feed, carriage return and escape — UTF-8 or a
    /// legacy single-byte code page such as windows-1258 alike (the plain-text extractor tells them apart).
    /// </summary>
    internal static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not (0x09 or 0x0A or 0x0C or 0x0D or 0x1B))
            {
                return false;
            }

            if (b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static bool StartsWithHtml(ReadOnlySpan<byte> body)
    {
        var t = body.TrimStart(" \t\r\n\f"u8);

        // The tags of the WHATWG MIME sniffing standard's HTML pattern, followed by a space or '>'.
        ReadOnlySpan<string> tags = ["<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--"];
        foreach (var tag in tags)
        {
            if (t.Length <= tag.Length)
            {
                continue;
            }

            var match = true;
            for (var i = 0; i < tag.Length && match; i++)
            {
                match = (char)(t[i] | (t[i] is >= (byte)'A' and <= (byte)'Z' ? 0x20 : 0)) == tag[i];
            }

            if (match && (tag == "<!--" || t[tag.Length] is (byte)' ' or (byte)'>' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A ZIP's type: an OpenDocument file names its type in a first stored entry <c>mimetype</c>; an Office Open XML
    /// file has <c>[Content_Types].xml</c> and a <c>word/</c>, <c>xl/</c> or <c>ppt/</c> part. The entry count is read
    /// from the end-of-central-directory record first: a ZIP with more than <see cref="MaxZipEntriesInspected"/> entries
    /// (or a ZIP64 count) is not opened, so sniffing never reads a huge central directory into memory. Null when the
    /// entries could not be inspected (damaged, or too many).
    /// </summary>
    internal static string? InspectZip(Stream zip, ReadOnlySpan<byte> head)
    {
        if (OdfMimeType(head) is { } odf)
        {
            return odf;
        }

        try
        {
            var entries = ZipEntryCount(zip);
            if (entries is null or > MaxZipEntriesInspected)
            {
                return null;
            }

            zip.Position = 0;
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            bool types = false, word = false, xl = false, ppt = false;
            foreach (var entry in archive.Entries)
            {
                var n = entry.FullName;
                types |= n == "[Content_Types].xml";
                word |= n.StartsWith("word/", StringComparison.Ordinal);
                xl |= n.StartsWith("xl/", StringComparison.Ordinal);
                ppt |= n.StartsWith("ppt/", StringComparison.Ordinal);
                if (n == "mimetype" && entry.Length is > 0 and < 200)
                {
                    using var s = entry.Open();
                    using var reader = new StreamReader(s, Encoding.ASCII);
                    var t = reader.ReadToEnd().Trim();
                    if (t.StartsWith("application/", StringComparison.Ordinal) && MediaTypePattern().IsMatch(t))
                    {
                        return t;
                    }
                }
            }

            return !types ? Zip : word ? Docx : xl ? Xlsx : ppt ? Pptx : Zip;
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The type an OpenDocument file names in its first, stored <c>mimetype</c> entry; null when it has none.</summary>
    private static string? OdfMimeType(ReadOnlySpan<byte> head)
    {
        if (head.Length < 30 || !head.StartsWith("PK\x03\x04"u8))
        {
            return null;
        }

        var method = BinaryPrimitives.ReadUInt16LittleEndian(head[8..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(head[18..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(head[26..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(head[28..]);
        if (method != 0 || size is 0 or > 200 || nameLength != 8 || head.Length < 30 + nameLength + extraLength + size || !head.Slice(30, 8).SequenceEqual("mimetype"u8))
        {
            return null;
        }

        var t = Encoding.ASCII.GetString(head.Slice(30 + nameLength + extraLength, (int)size)).Trim();
        return t.StartsWith("application/", StringComparison.Ordinal) && MediaTypePattern().IsMatch(t) ? t : null;
    }

    /// <summary>
    /// The number of entries a ZIP's end-of-central-directory record declares (searched in the last 64 KiB + 22 bytes);
    /// null when there is none or it defers to ZIP64 (then the caller treats the archive as too large to inspect).
    /// </summary>
    internal static long? ZipEntryCount(Stream zip)
    {
        var length = zip.Length;
        var tail = (int)Math.Min(length, 65_557);
        var buffer = new byte[tail];
        zip.Position = length - tail;
        zip.ReadExactly(buffer);
        for (var i = tail - 22; i >= 0; i--)
        {
            if (buffer[i] == 0x50 && buffer[i + 1] == 0x4B && buffer[i + 2] == 0x05 && buffer[i + 3] == 0x06)
            {
                var count = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(i + 10));
                return count == 0xFFFF ? null : count;
            }
        }

        return null;
    }

    private static bool IsGeneric(string t) => t is OctetStream or "binary/octet-stream" or "application/unknown" or "application/binary";

    private static bool IsZipGeneric(string t) => t is Zip or "application/x-zip-compressed" or "application/x-zip";

    private static bool IsZipBased(string t) => t is Zip or Docx or Xlsx or Pptx || t.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal) || t.EndsWith("+zip", StringComparison.Ordinal);

    /// <summary>Types that are text: <c>text/*</c>, <c>message/*</c>, XML and JSON types, scripts and other text formats.</summary>
    internal static bool IsTextual(string t)
        => t.StartsWith("text/", StringComparison.Ordinal) || t.StartsWith("message/", StringComparison.Ordinal)
            || t.EndsWith("/xml", StringComparison.Ordinal) || t.EndsWith("+xml", StringComparison.Ordinal)
            || t.EndsWith("/json", StringComparison.Ordinal) || t.EndsWith("+json", StringComparison.Ordinal)
            || t is "application/javascript" or "application/ecmascript" or "application/x-javascript" or "application/sql"
                or "application/yaml" or "application/x-yaml" or "application/csv" or "application/x-csv" or "application/x-ndjson"
                or "application/x-sh" or "application/x-subrip" or "application/mbox";

    /// <summary>Types whose content the sniffer recognises: declaring one for content that does not have its signature is a contradiction.</summary>
    internal static bool IsVerifiable(string t)
        => IsTextual(t) || IsZipBased(t) || t is PdfTextExtractor.PdfMediaType or "application/x-pdf" or "image/png" or "image/jpeg" or "image/jpg" or "image/pjpeg"
            or "image/tiff" or "image/gif" or Rtf or "application/msword" or "application/vnd.ms-excel" or "application/vnd.ms-powerpoint"
            or "application/xhtml+xml";

    private static string Describe(Sniffed s) => s.Kind switch
    {
        Kind.Html => "HTML (text/html)",
        Kind.Xml => "XML (application/xml)",
        Kind.Text => "text (text/plain)",
        Kind.Signature => s.MediaType == "application/x-ole-storage" ? "a legacy Office (OLE) file" : s.MediaType!,
        Kind.Archive => "a ZIP archive",
        _ => "binary data of no type the archive recognises",
    };

    [GeneratedRegex(@"^[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypePattern();
}
