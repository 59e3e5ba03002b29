using System.Globalization;
using System.Text;
using Archive.Records;

namespace Archive.TextExtraction.Office;

/// <summary>
/// Collects extracted text into pages or labelled sections within a character budget. Paragraphs are added one by
/// one with what they are (a heading, after a page break); <see cref="Finish"/> then splits on page breaks when the
/// document has any, else on headings when it has any, else into parts of about <c>sectionCharacters</c>.
/// Memory is bounded by the budget, not by the file.
/// </summary>
internal sealed class Sections(int maxCharacters, int sectionCharacters)
{
    /// <summary>Label of the text before a document's first heading.</summary>
    public const string PreambleLabel = "Mở đầu";

    private readonly List<(string Text, bool Heading, bool PageBreakBefore)> _paragraphs = [];
    private readonly StringBuilder _current = new();
    private int _left = maxCharacters;
    private bool _heading;
    private bool _pageBreak;
    private bool _anyPageBreak;
    private bool _anyHeading;

    /// <summary>True when the budget is spent (the caller may stop reading).</summary>
    public bool Full => _left <= 0;

    /// <summary>True when text was dropped for the budget.</summary>
    public bool Truncated { get; private set; }

    /// <summary>Appends text to the current paragraph (cut at the budget).</summary>
    public void Append(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        if (text.Length > _left)
        {
            Truncated = true;
            text = TextLimits.Cut(text, _left);
        }

        _current.Append(text);
        _left -= text.Length;
    }

    /// <summary>Appends one character (a tab, a line break inside a paragraph).</summary>
    public void Append(char c)
    {
        if (_left <= 0)
        {
            Truncated = true;
            return;
        }

        _current.Append(c);
        _left--;
    }

    /// <summary>Marks the current paragraph as a heading.</summary>
    public void MarkHeading() => _heading = true;

    /// <summary>A page break: what follows starts a new page.</summary>
    public void PageBreak()
    {
        if (_current.Length > 0)
        {
            EndParagraph();
        }

        _pageBreak = true;
    }

    /// <summary>Ends the current paragraph.</summary>
    public void EndParagraph()
    {
        var text = _current.ToString();
        _current.Clear();
        var heading = _heading && !string.IsNullOrWhiteSpace(text);
        if (text.Length > 0 || _pageBreak)
        {
            _paragraphs.Add((text, heading, _pageBreak));
            _anyPageBreak |= _pageBreak && _paragraphs.Count > 1;
            _anyHeading |= heading;
            _pageBreak = false;
        }

        _heading = false;
    }

    /// <summary>The pages (split on page breaks), else sections under headings, else parts of fixed size.</summary>
    public ExtractedText Finish()
    {
        if (_current.Length > 0)
        {
            EndParagraph();
        }

        var pages = new List<ExtractedPage>();
        var text = new StringBuilder();
        string? label = null;
        var part = 0;

        void Flush(bool always = false)
        {
            if (text.Length > 0 || always)
            {
                pages.Add(new ExtractedPage(text.ToString().TrimEnd('\n').Normalize(NormalizationForm.FormC), label));
            }

            text.Clear();
        }

        if (_anyPageBreak)
        {
            // Pages: numbered, no labels.
            for (var i = 0; i < _paragraphs.Count; i++)
            {
                var p = _paragraphs[i];
                if (p.PageBreakBefore && i > 0)
                {
                    Flush(always: true);
                }

                text.Append(p.Text).Append('\n');
            }

            Flush();
        }
        else if (_anyHeading)
        {
            label = PreambleLabel;
            foreach (var p in _paragraphs)
            {
                if (p.Heading)
                {
                    Flush();
                    label = Label(p.Text);
                }
                else if (text.Length >= sectionCharacters)
                {
                    Flush(); // a long section goes on under the same heading
                }

                text.Append(p.Text).Append('\n');
            }

            Flush();
        }
        else
        {
            foreach (var p in _paragraphs)
            {
                if (text.Length >= sectionCharacters)
                {
                    label = PartLabel(++part);
                    Flush();
                }

                text.Append(p.Text).Append('\n');
            }

            if (text.Length > 0)
            {
                label = part == 0 ? null : PartLabel(++part);
                Flush();
            }
        }

        return new ExtractedText { Pages = pages, Truncated = Truncated };
    }

    /// <summary>The label of part <paramref name="n"/> of a document without pages or headings.</summary>
    public static string PartLabel(int n) => "Phần " + n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A label from a heading or sheet name: one line, trimmed, at most 200 characters.</summary>
    public static string Label(string text)
    {
        var one = string.Join(' ', text.Split((char[])['\n', '\r', '\t', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Normalize(NormalizationForm.FormC);
        var cleaned = new string([.. one.Where(c => !char.IsControl(c))]);
        return TextLimits.Cut(cleaned, 200).Trim();
    }
}
