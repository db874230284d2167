package traits

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

// BatchRows is the rows of one INSERT.
const BatchRows = 10000

// Result is what an import stored.
type Result struct {
	ImportID string `json:"import_id"`
	Rows     int    `json:"rows"`   // users whose traits were stored
	Erased   int    `json:"erased"` // users left out: erased (their data must not come back)
}

// Import stores checked rows (Parse) for site: user IDs are stored as the
// site stores them (keyed hashes unless hash_user_id is false), users
// erased before are left out, and each user's traits replace their
// earlier ones. progress, if not nil, is told after each batch.
func Import(ctx context.Context, svc *privacy.Service, site *collector.Site, rows []Row, progress func(done, total uint64)) (Result, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Result{}, err
	}
	res := Result{ImportID: id.String()}
	now := time.Now
	if svc.Now != nil {
		now = svc.Now
	}
	at := now().UTC().Truncate(time.Second)
	batch := make([]store.TraitsRow, 0, BatchRows)
	flush := func(done int) error {
		if len(batch) > 0 {
			if err := svc.Store.SaveTraits(ctx, site.ID, res.ImportID, at, batch); err != nil {
				return err
			}
			res.Rows += len(batch)
			batch = batch[:0]
		}
		if progress != nil {
			progress(uint64(done), uint64(len(rows)))
		}
		return nil
	}
	for i, r := range rows {
		uid := svc.Keys.StoredUserID(site, r.UserID)
		if svc.Erased(site.ID, store.KindUser, uid) {
			res.Erased++
			continue
		}
		batch = append(batch, store.TraitsRow{UserID: uid, Traits: r.Traits})
		if len(batch) == BatchRows {
			if err := flush(i + 1); err != nil {
				return res, err
			}
		}
	}
	return res, flush(len(rows))
}
