using Archive.Search.Lucene.Analysis;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;

namespace Archive.Search.Lucene.Internal;

/// <summary>HTML-safe highlighted snippets (matches in &lt;em&gt;), with page numbers (and sheet or section labels) for paged text.</summary>
internal sealed class Snippets(LuceneSearchOptions options)
{
    private static readonly VietnameseAnalyzer Folded = new(VietnameseAnalysisMode.Folded);

    public List<Highlight> For(SearchDocument doc, Func<string, Query> highlightFor)
    {
        var result = new List<Highlight>();
        Whole(result, SearchFields.Title, Fields.Title.Folded, doc.Title, highlightFor);
        Whole(result, SearchFields.Subject, Fields.Subject.Folded, doc.Subject, highlightFor);

        var field = Fields.Body.Folded;
        var scorer = new QueryScorer(highlightFor(field), field);
        var highlighter = NewHighlighter(scorer);
        highlighter.TextFragmenter = new SimpleSpanFragmenter(scorer, options.HighlightFragmentSize);
        var fragments = new List<(float Score, int Order, string Text, int? Page, string? Label)>();
        var order = 0;
        if (!string.IsNullOrEmpty(doc.Text))
        {
            Collect(highlighter, field, doc.Text, null, null, fragments, ref order);
        }

        if (doc.Pages is { } pages)
        {
            for (var p = 0; p < pages.Count; p++)
            {
                if (!string.IsNullOrEmpty(pages[p]))
                {
                    Collect(highlighter, field, pages[p], p + 1, doc.PageLabels is { } labels && p < labels.Count ? labels[p] : null, fragments, ref order);
                }
            }
        }

        result.AddRange(fragments
            .OrderByDescending(f => f.Score)
            .ThenBy(f => f.Order)
            .Take(options.MaxHighlightFragments)
            .OrderBy(f => f.Order)
            .Select(f => new Highlight(SearchFields.Text, f.Text, f.Page) { Label = f.Label }));
        return result;
    }

    private void Collect(Highlighter highlighter, string field, string text, int? page, string? label, List<(float, int, string, int?, string?)> into, ref int order)
    {
        using var tokens = Folded.GetTokenStream(field, text);
        foreach (var fragment in highlighter.GetBestTextFragments(tokens, text, false, options.MaxHighlightFragments))
        {
            if (fragment is not null && fragment.Score > 0)
            {
                into.Add((fragment.Score, order++, fragment.ToString().Trim(), page, label));
            }
        }
    }

    private void Whole(List<Highlight> into, string searchField, string field, string? text, Func<string, Query> highlightFor)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var highlighter = NewHighlighter(new QueryScorer(highlightFor(field), field));
        highlighter.TextFragmenter = new NullFragmenter();
        var fragment = highlighter.GetBestFragment(Folded, field, text);
        if (fragment is not null)
        {
            into.Add(new Highlight(searchField, fragment));
        }
    }

    private Highlighter NewHighlighter(IScorer scorer)
        => new(new SimpleHTMLFormatter("<em>", "</em>"), new MinimalHtmlEncoder(), scorer)
        {
            MaxDocCharsToAnalyze = options.MaxHighlightAnalyzedChars,
        };
}

/// <summary>Escapes the five HTML-significant characters and nothing else (Vietnamese letters stay readable).</summary>
internal sealed class MinimalHtmlEncoder : IEncoder
{
    public string EncodeText(string originalText)
    {
        if (string.IsNullOrEmpty(originalText) || originalText.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return originalText ?? "";
        }

        var sb = new System.Text.StringBuilder(originalText.Length + 16);
        foreach (var c in originalText)
        {
            _ = c switch
            {
                '&' => sb.Append("&amp;"),
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                '"' => sb.Append("&quot;"),
                '\'' => sb.Append("&#39;"),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }
}
