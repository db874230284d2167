package privacy

import (
	"context"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
)

// Device is one browser linked to a signed-in customer, with the consent
// decisions made on it: what the preference center shows.
type Device struct {
	VisitorID string            `json:"visitor_id"`
	FirstSeen time.Time         `json:"first_seen"`
	LastSeen  time.Time         `json:"last_seen"`
	Decisions []DeviceDecision  `json:"decisions"`
	Traits    map[string]string `json:"-"`
}

// DeviceDecision is one consent decision of a device.
type DeviceDecision struct {
	ConsentID string    `json:"consent_id"`
	TS        time.Time `json:"ts"`
	Revision  uint32    `json:"revision"`
	Granted   []string  `json:"granted"`
	Denied    []string  `json:"denied"`
	Method    string    `json:"method"`
}

// CustomerDevices returns the devices currently linked to a customer (user
// ID as the site knows it), each with its consent decisions, oldest first.
func (s *Service) CustomerDevices(ctx context.Context, site, user string) ([]Device, error) {
	sub, err := s.Resolve(ctx, Request{Site: site, Kind: store.KindUser, ID: user})
	if err != nil {
		return nil, err
	}
	out := []Device{}
	for _, v := range sub.Visitors {
		ids, err := s.Store.IdentitiesOfVisitor(ctx, sub.Site, v)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if id.Unlinked || id.UserID != sub.Key {
				continue
			}
			d := Device{VisitorID: v, FirstSeen: id.FirstSeen, LastSeen: id.LastSeen, Decisions: []DeviceDecision{}}
			one := store.Subject{Site: sub.Site, Kind: store.KindVisitor, Key: v, Visitors: []string{v}}
			err := s.Store.StreamSubjectRows(ctx, "consent_log", one, func(cols []string, vals []any) error {
				var dd DeviceDecision
				for i, c := range cols {
					switch c {
					case "consent_id":
						dd.ConsentID, _ = vals[i].(string)
					case "ts":
						dd.TS, _ = vals[i].(time.Time)
					case "revision":
						dd.Revision, _ = vals[i].(uint32)
					case "granted":
						dd.Granted, _ = vals[i].([]string)
					case "denied":
						dd.Denied, _ = vals[i].([]string)
					case "method":
						dd.Method, _ = vals[i].(string)
					}
				}
				d.Decisions = append(d.Decisions, dd)
				return nil
			})
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// UnlinkCustomerDevice removes the link of one of a customer's devices;
// a visitor ID not linked to that customer is not found.
func (s *Service) UnlinkCustomerDevice(ctx context.Context, site, user, visitorID string) error {
	devices, err := s.CustomerDevices(ctx, site, user)
	if err != nil {
		return err
	}
	for _, d := range devices {
		if d.VisitorID == visitorID {
			_, err := s.Unlink(ctx, site, visitorID)
			return err
		}
	}
	return collector.Errorf(collector.ENotFound, "visitor", "no such device of this customer")
}

// ExportCustomer writes everything kept about a customer (user ID as the
// site knows it) as JSON.
func (s *Service) ExportCustomer(ctx context.Context, site, user string, w interface{ Write([]byte) (int, error) }) error {
	sub, err := s.Resolve(ctx, Request{Site: site, Kind: store.KindUser, ID: user})
	if err != nil {
		return err
	}
	return s.Export(ctx, sub, FormatJSON, w, nil)
}
