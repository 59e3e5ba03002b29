using System.Text.RegularExpressions;

namespace Archive.Records;

/// <summary>Media types of uploaded content: normalising a declared type and sniffing one that was not declared.</summary>
internal static partial class MediaTypes
{
    /// <summary>The media type without parameters, lower case, or null when it is not a valid type/subtype.</summary>
    public static string? Normalize(string mediaType)
    {
        var t = mediaType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return MediaTypePattern().IsMatch(t) ? t : null;
    }

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = PdfTextExtractor.PdfMediaType,
        [".xml"] = "application/xml",
        [".json"] = "application/json",
        [".txt"] = "text/plain",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".tif"] = "image/tiff",
        [".tiff"] = "image/tiff",
        [".doc"] = "application/msword",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xls"] = "application/vnd.ms-excel",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".odt"] = "application/vnd.oasis.opendocument.text",
        [".zip"] = "application/zip",
        [".mp3"] = "audio/mpeg",
        [".mp4"] = "video/mp4",
    };

    /// <summary>The media type of a spooled file: PDF by its signature, otherwise by the extension of its name.</summary>
    public static async ValueTask<string> SniffAsync(string path, string name, CancellationToken cancellationToken)
    {
        var head = new byte[5];
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (fs.ConfigureAwait(false))
        {
            var read = await fs.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read == 5 && head.AsSpan().SequenceEqual("%PDF-"u8))
            {
                return PdfTextExtractor.PdfMediaType;
            }
        }

        return ByExtension.TryGetValue(Path.GetExtension(name), out var t) ? t : "application/octet-stream";
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypePattern();
}
