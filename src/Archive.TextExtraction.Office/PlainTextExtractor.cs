using System.Text;
using Archive.Records;

namespace Archive.TextExtraction.Office;

/// <summary>
/// Text of plain-text files (<c>text/plain</c>, <c>text/csv</c>). The encoding: a byte order mark (UTF-8, UTF-16,
/// UTF-32), else UTF-8 when the whole file is valid UTF-8, else <see cref="OfficeTextExtractionOptions.LegacyCodePage"/>
/// (windows-1258 by default; its combining tone marks are composed to NFC). Pages at form feeds when there are any,
/// else parts of <see cref="OfficeTextExtractionOptions.SectionCharacters"/>. Read in chunks: memory is bounded by the
/// character budget.
/// </summary>
public sealed class PlainTextExtractor(OfficeTextExtractionOptions options) : IContentTextExtractor
{
    private readonly OfficeTextExtractionOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public bool CanExtract(string mediaType) => mediaType is "text/plain" or "text/csv";

    /// <inheritdoc />
    public async ValueTask<ExtractedText> ExtractAsync(Stream content, TextExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        var (encoding, bom, formFeeds) = await DetectAsync(content, _options.LegacyEncoding(), cancellationToken).ConfigureAwait(false);
        content.Position = bom;
        var sections = new Sections(request.MaxCharacters, _options.SectionCharacters);
        using var reader = new StreamReader(content, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 65536, leaveOpen: true);
        var buffer = new char[16384];
        int read;
        var lastWasCr = false;
        while (!sections.Full && (read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c is '\n' or '\f' or '\r')
                {
                    sections.Append(new string(buffer, start, i - start));
                    start = i + 1;
                    if (c == '\f' && formFeeds)
                    {
                        sections.PageBreak();
                    }
                    else if (!(c == '\n' && lastWasCr))
                    {
                        sections.EndParagraph();
                    }
                }

                lastWasCr = c == '\r';
            }

            sections.Append(new string(buffer, start, read - start));
        }

        var text = sections.Finish();
        return sections.Full && reader.Peek() >= 0 ? text with { Truncated = true } : text;
    }

    /// <summary>The encoding, the length of its byte order mark, and whether the bytes hold a form feed (pages).</summary>
    internal static async ValueTask<(Encoding Encoding, int Bom, bool FormFeeds)> DetectAsync(Stream content, Encoding legacy, CancellationToken cancellationToken)
    {
        content.Position = 0;
        var head = new byte[4];
        var n = await content.ReadAtLeastAsync(head, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var h = head.AsSpan(0, n);
        if (h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return (new UTF32Encoding(false, false), 4, false);
        }

        if (h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (new UnicodeEncoding(false, false), 2, false);
        }

        if (h.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(true, false), 2, false);
        }

        var bom = h.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;

        // One forward pass: is it all valid UTF-8, and does it hold a form feed?
        content.Position = bom;
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[65536];
        var chars = new char[65536];
        var valid = true;
        var formFeeds = false;
        int read;
        while ((read = await content.ReadAsync(bytes, cancellationToken).ConfigureAwait(false)) > 0)
        {
            formFeeds |= bytes.AsSpan(0, read).Contains((byte)0x0C);
            if (valid)
            {
                try
                {
                    decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                }
                catch (DecoderFallbackException)
                {
                    valid = false;
                }
            }
        }

        if (valid)
        {
            try
            {
                decoder.GetChars([], 0, 0, chars, 0, flush: true);
            }
            catch (DecoderFallbackException)
            {
                valid = false;
            }
        }

        return (valid || bom == 3 ? new UTF8Encoding(false, false) : legacy, bom, formFeeds);
    }
}
