using System.Collections.Concurrent;

namespace Grid.Persistence.Swarm;

/// <summary>
/// The provider's bounded memory of <see cref="GrainStateMark"/>s, so a write can check its
/// ETag without a roundtrip. Forgetting is always safe: a write of a forgotten grain reads its
/// record first. When full, an arbitrary eighth is dropped (grains that are still active are
/// re-learnt at their next write).
/// </summary>
internal sealed class GrainStateMarks(int capacity)
{
    private readonly ConcurrentDictionary<string, GrainStateMark> _marks = new(StringComparer.Ordinal);

    public int Count => _marks.Count;

    public bool TryGet(string key, out GrainStateMark mark) => _marks.TryGetValue(key, out mark);

    public void Set(string key, GrainStateMark mark)
    {
        if (capacity == 0)
        {
            return;
        }

        if (_marks.Count >= capacity && !_marks.ContainsKey(key))
        {
            var drop = Math.Max(1, capacity / 8);
            foreach (var old in _marks.Keys.Take(drop))
            {
                _marks.TryRemove(old, out _);
            }
        }

        _marks[key] = mark;
    }

    public void Forget(string key) => _marks.TryRemove(key, out _);
}
