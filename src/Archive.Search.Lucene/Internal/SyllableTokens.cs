using Archive.Search.Lucene.Analysis;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Shingle;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;

namespace Archive.Search.Lucene.Internal;

/// <summary>
/// A text analysed once (tokenizer, normalisation, lower-casing) and replayed into the accented, folded and bigram
/// fields, so indexing runs the tokenizer once per text instead of three times. Produces exactly the terms of
/// <see cref="VietnameseAnalyzer"/> in the three modes (tested).
/// </summary>
internal sealed class SyllableTokens
{
    private static readonly VietnameseAnalyzer Exact = new(VietnameseAnalysisMode.Exact);

    private readonly List<string> _terms = [];
    private readonly List<int> _starts = [];
    private readonly List<int> _ends = [];
    private readonly List<int> _increments = [];
    private int _finalOffset;

    public static SyllableTokens Analyze(string fieldName, string text)
    {
        var t = new SyllableTokens();
        using var stream = Exact.GetTokenStream(fieldName, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offsets = stream.AddAttribute<IOffsetAttribute>();
        var inc = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            t._terms.Add(term.ToString());
            t._starts.Add(offsets.StartOffset);
            t._ends.Add(offsets.EndOffset);
            t._increments.Add(inc.PositionIncrement);
        }

        stream.End();
        t._finalOffset = offsets.EndOffset;
        return t;
    }

    /// <summary>A single-use field replaying the tokens in <paramref name="mode"/> (bigrams are built here directly: the
    /// standard tokenizer never leaves position gaps, so they equal a 2-2 <see cref="ShingleFilter"/>'s output).</summary>
    public Field Field(string name, VietnameseAnalysisMode mode)
        => new(name, new Replay(this, mode), TextField.TYPE_NOT_STORED);

    private sealed class Replay : TokenStream
    {
        private readonly SyllableTokens _tokens;
        private readonly bool _fold;
        private readonly bool _bigrams;
        private readonly ICharTermAttribute _term;
        private readonly IOffsetAttribute _offsets;
        private readonly IPositionIncrementAttribute _increment;
        private int _next;

        public Replay(SyllableTokens tokens, VietnameseAnalysisMode mode)
        {
            _tokens = tokens;
            _fold = mode != VietnameseAnalysisMode.Exact;
            _bigrams = mode == VietnameseAnalysisMode.FoldedBigrams;
            _term = AddAttribute<ICharTermAttribute>();
            _offsets = AddAttribute<IOffsetAttribute>();
            _increment = AddAttribute<IPositionIncrementAttribute>();
        }

        public override bool IncrementToken()
        {
            var first = _next;
            var last = _bigrams ? _next + 1 : _next;
            if (last >= _tokens._terms.Count)
            {
                return false;
            }

            ClearAttributes();
            _term.SetEmpty().Append(_tokens._terms[first]);
            if (_bigrams)
            {
                _term.Append(' ').Append(_tokens._terms[last]);
            }

            if (_fold)
            {
                var buffer = _term.Buffer.AsSpan(0, _term.Length);
                _term.Length = VietnameseText.Fold(buffer, buffer);
            }

            _offsets.SetOffset(_tokens._starts[first], _tokens._ends[last]);
            _increment.PositionIncrement = _tokens._increments[first];
            _next++;
            return true;
        }

        public override void End()
        {
            base.End();
            _offsets.SetOffset(_tokens._finalOffset, _tokens._finalOffset);
        }

        public override void Reset()
        {
            base.Reset();
            _next = 0;
        }
    }
}
