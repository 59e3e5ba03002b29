using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Archive.Records;

namespace Archive.TextExtraction.Office;

/// <summary>
/// Text of HTML documents, parsed as a browser does (AngleSharp, HTML5, scripts off): the title and the body's text
/// without scripts, styles and templates; sections under headings (<c>h1</c>–<c>h3</c>, labelled with the heading),
/// else parts of fixed size. The encoding: a byte order mark, else a <c>charset</c> declared in the first 1 024 bytes,
/// else UTF-8 when valid, else <see cref="OfficeTextExtractionOptions.LegacyCodePage"/>. A document is parsed whole, so
/// at most <see cref="OfficeTextExtractionOptions.MaxHtmlBytes"/> are read (the text is then marked truncated).
/// </summary>
public sealed partial class HtmlTextExtractor(OfficeTextExtractionOptions options) : IContentTextExtractor
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object" };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "tr", "table", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "hr", "title", "main", "nav", "aside", "figure", "figcaption", "address",
    };

    private readonly OfficeTextExtractionOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public bool CanExtract(string mediaType) => mediaType is "text/html" or "application/xhtml+xml";

    /// <inheritdoc />
    public async ValueTask<ExtractedText> ExtractAsync(Stream content, TextExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        var length = (int)Math.Min(content.Length, _options.MaxHtmlBytes);
        var bytes = new byte[length];
        content.Position = 0;
        await content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        var html = Decode(bytes, _options.LegacyEncoding());
        var document = new HtmlParser(new HtmlParserOptions { IsScripting = false }).ParseDocument(html);
        var sections = new Sections(request.MaxCharacters, _options.SectionCharacters);
        if (document.Title is { Length: > 0 } title)
        {
            sections.Append(title.Trim());
            sections.EndParagraph();
        }

        if (document.Body is { } body)
        {
            Walk(body, sections, cancellationToken);
        }

        var text = sections.Finish();
        return content.Length > length || sections.Full ? text with { Truncated = true } : text;
    }

    /// <summary>Walks the tree without recursion (deeply nested markup cannot exhaust the stack).</summary>
    private static void Walk(INode root, Sections sections, CancellationToken cancellationToken)
    {
        var stack = new Stack<(INode Node, bool Exit)>();
        stack.Push((root, false));
        while (stack.Count > 0 && !sections.Full)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (node, exit) = stack.Pop();
            if (node is IElement element)
            {
                var name = element.LocalName;
                if (exit)
                {
                    if (Blocks.Contains(name))
                    {
                        sections.EndParagraph();
                    }
                    else if (name is "td" or "th")
                    {
                        sections.Append('\t');
                    }

                    continue;
                }

                if (Skipped.Contains(name))
                {
                    continue;
                }

                if (Blocks.Contains(name))
                {
                    sections.EndParagraph();
                }

                if (name is "h1" or "h2" or "h3")
                {
                    sections.MarkHeading();
                }

                stack.Push((node, true));
                for (var i = node.ChildNodes.Length - 1; i >= 0; i--)
                {
                    stack.Push((node.ChildNodes[i], false));
                }
            }
            else if (node is IText text)
            {
                sections.Append(Whitespace().Replace(text.Data, " "));
            }
            else if (!exit && node.HasChildNodes)
            {
                for (var i = node.ChildNodes.Length - 1; i >= 0; i--)
                {
                    stack.Push((node.ChildNodes[i], false));
                }
            }
        }
    }

    /// <summary>Decodes the bytes: BOM, else a declared charset, else UTF-8 when valid, else the legacy code page.</summary>
    internal static string Decode(byte[] bytes, Encoding legacy)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Encoding.UTF8.GetString(span[3..]);
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(span[2..]);
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(span[2..]);
        }

        var prescan = Encoding.ASCII.GetString(span[..Math.Min(span.Length, 1024)]);
        if (Charset().Match(prescan) is { Success: true } m && Named(m.Groups[1].Value) is { } declared)
        {
            return declared.GetString(bytes);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return legacy.GetString(bytes);
        }
    }

    private static Encoding? Named(string name)
    {
        try
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"charset\s*=\s*[""']?\s*([A-Za-z0-9_.:\-]{1,40})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Charset();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
