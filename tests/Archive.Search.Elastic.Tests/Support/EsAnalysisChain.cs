using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.CharFilters;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Shingle;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Archive.Search.Elastic.Tests.Support;

/// <summary>
/// An analyzer of the create-index request, rebuilt on Lucene.NET with the classes Elasticsearch itself uses
/// (<c>MappingCharFilter</c>, <c>StandardTokenizer</c>, <c>LowerCaseFilter</c>, <c>ShingleFilter</c>), the char filter
/// rules parsed exactly as Elasticsearch's <c>MappingCharFilterFactory</c> parses them.
/// </summary>
public sealed class EsAnalysisChain : Analyzer
{
    private static readonly Regex RulePattern = new(@"(.*)\s*=>\s*(.*)\s*$", RegexOptions.CultureInvariant);
    private readonly List<NormalizeCharMap> _charFilters;
    private readonly List<string> _filters;
    private readonly JsonObject _tokenFilters;

    public EsAnalysisChain(JsonNode createIndexBody, string analyzer)
    {
        var analysis = createIndexBody["settings"]!["analysis"]!;
        var definition = analysis["analyzer"]![analyzer]!.AsObject();
        if (definition["tokenizer"]!.GetValue<string>() != "standard" || definition["type"]!.GetValue<string>() != "custom")
        {
            throw new NotSupportedException("only custom analyzers on the standard tokenizer are modelled");
        }

        _charFilters = Names(definition["char_filter"]).Select(name =>
        {
            var filter = analysis["char_filter"]![name]!;
            if (filter["type"]!.GetValue<string>() != "mapping")
            {
                throw new NotSupportedException(name);
            }

            var builder = new NormalizeCharMap.Builder();
            foreach (var rule in filter["mappings"]!.AsArray().Select(r => r!.GetValue<string>()))
            {
                var (from, to) = ParseRule(rule);
                builder.Add(from, to);
            }

            return builder.Build();
        }).ToList();
        _filters = Names(definition["filter"]);
        _tokenFilters = analysis["filter"]?.AsObject() ?? [];
        PositionIncrementGap = definition["position_increment_gap"]?.GetValue<int>() ?? 0;
    }

    public int PositionIncrementGap { get; }

    /// <summary>Elasticsearch's <c>MappingCharFilterFactory.parseRules</c> for one rule.</summary>
    public static (string From, string To) ParseRule(string rule)
    {
        var m = RulePattern.Match(rule);
        if (!m.Success)
        {
            throw new FormatException("Invalid Mapping Rule : [" + rule + "]");
        }

        return (Unescape(m.Groups[1].Value.Trim()), Unescape(m.Groups[2].Value.Trim()));
    }

    public List<string> Tokens(string text)
    {
        var result = new List<string>();
        using var stream = GetTokenStream("f", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            result.Add(term.ToString());
        }

        stream.End();
        return result;
    }

    public static List<string> Tokens(Analyzer analyzer, string text)
    {
        var result = new List<string>();
        using var stream = analyzer.GetTokenStream("f", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            result.Add(term.ToString());
        }

        stream.End();
        return result;
    }

    protected override TextReader InitReader(string fieldName, TextReader reader)
    {
        foreach (var map in _charFilters)
        {
            reader = new MappingCharFilter(map, reader);
        }

        return reader;
    }

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var tokenizer = new StandardTokenizer(LuceneVersion.LUCENE_48, reader);
        TokenStream stream = tokenizer;
        foreach (var name in _filters)
        {
            if (name == "lowercase")
            {
                stream = new LowerCaseFilter(LuceneVersion.LUCENE_48, stream);
                continue;
            }

            var def = _tokenFilters[name] ?? throw new NotSupportedException(name);
            if (def["type"]!.GetValue<string>() != "shingle")
            {
                throw new NotSupportedException(name);
            }

            var shingles = new ShingleFilter(stream, def["min_shingle_size"]!.GetValue<int>(), def["max_shingle_size"]!.GetValue<int>());
            shingles.SetOutputUnigrams(def["output_unigrams"]!.GetValue<bool>());
            shingles.SetOutputUnigramsIfNoShingles(def["output_unigrams_if_no_shingles"]!.GetValue<bool>());
            stream = shingles;
        }

        return new TokenStreamComponents(tokenizer, stream);
    }

    private static List<string> Names(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.Select(n => n!.GetValue<string>()).ToList(),
        _ => [node.GetValue<string>()],
    };

    /// <summary>Elasticsearch's <c>MappingCharFilterFactory.parseString</c>.</summary>
    private static string Unescape(string s)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < s.Length;)
        {
            var c = s[i++];
            if (c == '\\')
            {
                if (i >= s.Length)
                {
                    throw new FormatException("Invalid escaped char in [" + s + "]");
                }

                c = s[i++];
                switch (c)
                {
                    case 'n': c = '\n'; break;
                    case 't': c = '\t'; break;
                    case 'r': c = '\r'; break;
                    case 'b': c = '\b'; break;
                    case 'f': c = '\f'; break;
                    case 'u':
                        if (i + 3 >= s.Length)
                        {
                            throw new FormatException("Invalid escaped char in [" + s + "]");
                        }

                        c = (char)Convert.ToInt32(s.Substring(i, 4), 16);
                        i += 4;
                        break;
                }
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
