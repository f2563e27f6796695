package audit

import (
	"context"
	"fmt"
	"testing"

	"smkbot/bot"
	"smkbot/flows/flowtest"
	"smkbot/storage"
)

// voice sends a voice message straight to the router, as the transport
// delivers it.
func (m *auEnv) voice(t *testing.T, u flowtest.User, msgID int, data []byte) []bot.Message {
	t.Helper()
	m.next++
	id := fmt.Sprintf("v%d", m.next)
	m.files.put(id, data)
	upd := bot.Update{ID: m.next, ChatID: u.ID, Private: true, From: bot.User{ID: u.ID, FirstName: u.First},
		MessageID: msgID, Voice: &bot.File{ID: id, UniqueID: "u" + id, MIME: "audio/ogg", Size: len(data)}}
	msgs, err := m.Router.Handle(context.Background(), upd)
	if err != nil {
		t.Fatalf("voice: %v", err)
	}
	flowtest.Lacks(t, msgs, "⟦")
	return msgs
}

func TestAuditVoiceDescription(t *testing.T) {
	t.Parallel()
	m := newAuEnv(t)
	a := m.begin(t)
	m.PressLabel(t, auAuditor, "➕ Замечание")
	m.PressLabel(t, auAuditor, "🟠 Несоответствие незначительное")
	m.PressLabel(t, auAuditor, "Пропустить ›")

	// Not a recording: refused, the step stays.
	flowtest.Has(t, m.voice(t, auAuditor, 500, []byte("not an ogg file at all")), "Не получилось прочитать")
	if fs := m.findings(t, a.ID); len(fs) != 0 {
		t.Fatalf("a finding was saved from a bad recording: %+v", fs)
	}

	// An OGG recording: the finding is saved with the recording attached.
	ogg := append([]byte("OggS\x00\x02"), make([]byte, 200)...)
	flowtest.Has(t, m.voice(t, auAuditor, 501, ogg), "сохранено", "Пришлите фото")
	fs := m.findings(t, a.ID)
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	atts, err := m.Store.FindingAttachments(context.Background(), fs[0].ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) != 1 || atts[0].Kind != storage.AttachVoice || atts[0].Size != len(ogg) {
		t.Fatalf("attachments %+v", atts)
	}
}
