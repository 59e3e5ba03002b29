using System.Reflection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// Every [LoggerMessage] of every Archive assembly has a non-zero EventId, unique across the packages and inside its
/// assembly's range (docs/operations.md, "Telemetry"), and an EventName. The Elasticsearch package, which the server
/// does not reference, is checked by the same rule in its own test project.
/// </summary>
public sealed class LogEventIdTests
{
    /// <summary>Event id range (first id) of each assembly; each range holds 1000 ids.</summary>
    internal static readonly Dictionary<string, int> Ranges = new(StringComparer.Ordinal)
    {
        ["Archive.Core"] = 1000,
        ["Archive.Storage.FileSystem"] = 2000,
        ["Archive.Search.Lucene"] = 3000,
        ["Archive.Search.Elastic"] = 4000,
        ["Archive.Storage.Minio"] = 5000,
        ["Archive.Api"] = 6000,
        ["Archive.TextExtraction.Tesseract"] = 7000,
        ["Archive.ReadingRoom"] = 8000,
        ["Archive.Server"] = 9000,
    };

    [Fact]
    public void Every_logger_message_has_a_unique_event_id_in_its_assembly_range()
    {
        var assemblies = Directory.GetFiles(AppContext.BaseDirectory, "Archive.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => !n!.EndsWith(".Tests", StringComparison.Ordinal))
            .Select(n => Assembly.Load(new AssemblyName(n!)))
            .ToList();
        Assert.Superset(
            new HashSet<string> { "Archive.Core", "Archive.Api", "Archive.Storage.FileSystem", "Archive.Search.Lucene", "Archive.Storage.Minio", "Archive.TextExtraction.Tesseract" },
            assemblies.Select(a => a.GetName().Name!).ToHashSet());

        var messages = assemblies.SelectMany(LoggerMessages).ToList();
        Assert.True(messages.Count >= 40, $"only {messages.Count} logger messages found");
        Check(messages);
    }

    internal static IEnumerable<(string Assembly, string Method, LoggerMessageAttribute Attribute)> LoggerMessages(Assembly assembly)
        => from type in assembly.GetTypes()
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
           let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
           where attribute is not null
           select (assembly.GetName().Name!, type.FullName + "." + method.Name, attribute);

    internal static void Check(IReadOnlyList<(string Assembly, string Method, LoggerMessageAttribute Attribute)> messages)
    {
        foreach (var (assembly, method, attribute) in messages)
        {
            Assert.True(attribute.EventId > 0, $"{method} has no EventId");
            Assert.False(string.IsNullOrEmpty(attribute.EventName), $"{method} has no EventName");
            Assert.True(Ranges.TryGetValue(assembly, out var first), $"{assembly} has no event id range");
            Assert.InRange(attribute.EventId, first, first + 999);
        }

        var duplicates = messages.GroupBy(m => m.Attribute.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        Assert.True(duplicates.Count == 0, "Duplicate event ids: " + string.Join("; ", duplicates));
        var names = messages.GroupBy(m => (m.Assembly, m.Attribute.EventName)).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.EventName}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        Assert.True(names.Count == 0, "Duplicate event names: " + string.Join("; ", names));
    }
}
