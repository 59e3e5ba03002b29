using System.Reflection;
using Archive.Search.Lucene;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>
/// Every [LoggerMessage] of the search engines has a non-zero EventId in its assembly's range (Lucene 3000-3999,
/// Elasticsearch 4000-4999; docs/operations.md) and an EventName, none used twice. The other packages are checked
/// by Archive.Api.Tests.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Search_engine_logger_messages_have_unique_event_ids_in_their_ranges()
    {
        var ranges = new Dictionary<Assembly, int> { [typeof(ElasticsearchSearchIndex).Assembly] = 4000, [typeof(LuceneSearchIndex).Assembly] = 3000 };
        var messages = (from pair in ranges
                        from type in pair.Key.GetTypes()
                        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
                        where attribute is not null
                        select (First: pair.Value, Method: type.FullName + "." + method.Name, Attribute: attribute)).ToList();
        Assert.True(messages.Count >= 10, $"only {messages.Count} logger messages found");
        foreach (var (first, method, attribute) in messages)
        {
            Assert.InRange(attribute.EventId, first, first + 999);
            Assert.False(string.IsNullOrEmpty(attribute.EventName), $"{method} has no EventName");
        }

        Assert.Equal(messages.Count, messages.Select(m => m.Attribute.EventId).Distinct().Count());
    }
}
