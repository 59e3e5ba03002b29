using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Archive.Search.Lucene.Analysis;

/// <summary>
/// Normalises each token to Unicode NFC, puts the tone mark of a final <c>oa</c>/<c>oe</c>/<c>uy</c> on the last
/// vowel, so decomposed input and both tone-placement conventions (<c>hòa</c>/<c>hoà</c>) give one term, and
/// (optionally) lower-cases it with the invariant culture.
/// </summary>
public sealed class VietnameseNormalizationFilter : TokenFilter
{
    private readonly ICharTermAttribute _term;
    private readonly bool _lowerCase;

    /// <summary>Creates the filter.</summary>
    public VietnameseNormalizationFilter(TokenStream input, bool lowerCase = false)
        : base(input)
    {
        _term = AddAttribute<ICharTermAttribute>();
        _lowerCase = lowerCase;
    }

    /// <inheritdoc />
    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken())
        {
            return false;
        }

        var buffer = _term.Buffer;
        var length = _term.Length;
        if (VietnameseText.NeedsNfc(buffer.AsSpan(0, length)))
        {
            var normalized = VietnameseText.NormalizeWord(new string(buffer, 0, length));
            _term.SetEmpty().Append(normalized);
        }
        else
        {
            VietnameseText.CanonicalizeTone(buffer, length);
        }

        if (_lowerCase)
        {
            buffer = _term.Buffer;
            length = _term.Length;
            for (var i = 0; i < length; i++)
            {
                var c = buffer[i];
                if (c < 0x80)
                {
                    if (c is >= 'A' and <= 'Z')
                    {
                        buffer[i] = (char)(c + 32);
                    }
                }
                else if (!char.IsSurrogate(c))
                {
                    buffer[i] = char.ToLowerInvariant(c);
                }
            }
        }

        return true;
    }
}

/// <summary>Removes diacritics from each token (<c>đồng</c> → <c>dong</c>); input should be NFC.</summary>
public sealed class VietnameseFoldingFilter : TokenFilter
{
    private readonly ICharTermAttribute _term;

    /// <summary>Creates the filter.</summary>
    public VietnameseFoldingFilter(TokenStream input)
        : base(input)
    {
        _term = AddAttribute<ICharTermAttribute>();
    }

    /// <inheritdoc />
    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken())
        {
            return false;
        }

        var buffer = _term.Buffer;
        var length = _term.Length;
        for (var i = 0; i < length; i++)
        {
            if (buffer[i] >= 0x80)
            {
                var span = buffer.AsSpan(0, length);
                var n = VietnameseText.Fold(span, span); // folding never lengthens, so in place is safe
                _term.Length = n;
                break;
            }
        }

        return true;
    }
}
